import { barChart } from './bar-chart';
import { lineChart } from './line-chart';
import { niceScale, escapeXml } from './svg';

describe('charts', () => {
  it('draws one bar and one error bar per value, escaping labels', () => {
    const svg = barChart({
      title: 'HR <test>',
      groups: [
        {
          label: 'HR@1',
          values: [
            { series: 'pop', value: 0.2, low: 0.18, high: 0.22 },
            { series: 'markov', value: 0.3 },
          ],
        },
        {
          label: 'HR@5',
          values: [
            { series: 'pop', value: 0.5 },
            { series: 'markov', value: 0.6 },
          ],
        },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('HR &lt;test&gt;');
    // 4 bars + 2 legend swatches + background.
    expect(svg.match(/<rect /g)).toHaveLength(7);
    // One error bar: a vertical line and two caps.
    expect(svg.match(/stroke="#222"/g)).toHaveLength(3);
  });

  it('draws a path per series', () => {
    const svg = lineChart({
      title: 'curve',
      xLabel: 'epoch',
      yLabel: 'NDCG@10',
      series: [
        {
          name: 'valid',
          points: [
            { x: 1, y: 0.1 },
            { x: 2, y: 0.3 },
          ],
        },
      ],
    });
    expect(svg.match(/<path /g)).toHaveLength(1);
  });

  it('picks readable axis scales', () => {
    expect(niceScale(0.93)).toEqual({ max: 1, step: 0.2 });
    expect(niceScale(0.31).max).toBeCloseTo(0.4, 12);
    expect(escapeXml('a&b')).toBe('a&amp;b');
  });
});
