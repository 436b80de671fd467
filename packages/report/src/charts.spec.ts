import { compile } from 'vega-lite';
import { barChart, barChartSpec } from './bar-chart';
import { lineChart } from './line-chart';
import { scatterChart } from './scatter';
import { latencyPercentilesChart } from './latency-chart';
import { scaleChart } from './scale-chart';

/** Marks vega drew, by their accessible role description (one per data item). */
function marks(svg: string, role: string): number {
  return svg.match(new RegExp(`aria-roledescription="${role}"`, 'g'))?.length ?? 0;
}

/** Axis titles as vega writes them into each axis group's accessible label. */
function axisTitles(svg: string): string[] {
  return [...svg.matchAll(/aria-label="([XY])-axis titled '([^']*)'/g)].map(
    (m) => `${m[1]}:${m[2]}`,
  );
}

describe('charts render through vega-lite and vega to SVG', () => {
  it('main table: one bar per method and metric, one error bar per CI, legend in caller order', async () => {
    const options = {
      title: 'HR <test>',
      yLabel: 'score',
      groups: [
        {
          label: 'HR@1',
          values: [
            { series: 'pop', value: 0.2, low: 0.18, high: 0.22 },
            { series: 'markov', value: 0.3, low: 0.27, high: 0.33 },
            { series: 'sasrec', value: 0.35 },
          ],
        },
        {
          label: 'NDCG@10',
          values: [
            { series: 'pop', value: 0.5, low: 0.48, high: 0.52 },
            { series: 'markov', value: 0.6, low: 0.58, high: 0.62 },
            { series: 'sasrec', value: 0.65 },
          ],
        },
      ],
    };
    expect(compile(barChartSpec(options)).spec.marks).toBeDefined();
    const svg = await barChart(options);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('HR &lt;test&gt;');
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(['Y:score']));
    expect(marks(svg, 'bar')).toBe(6);
    expect(marks(svg, 'errorbar')).toBe(4);
    expect(svg).toContain(
      "legend titled 'method' for fill color with 3 values: pop, markov, sasrec",
    );
  });

  it('learning curve: a line per series, a point per epoch, stacked panels with their own y axes', async () => {
    const epochs = [1, 2, 3, 4];
    const svg = await lineChart({
      title: 'curve',
      xLabel: 'epoch',
      yLabel: 'value',
      series: [
        { name: 'train loss', panel: 'loss', points: epochs.map((x) => ({ x, y: 1 / x })) },
        {
          name: 'valid NDCG@10',
          panel: 'validation',
          points: epochs.map((x) => ({ x, y: 0.1 * x })),
        },
        {
          name: 'valid HR@1',
          panel: 'validation',
          points: epochs.slice(1).map((x) => ({ x, y: 0.05 * x })),
        },
      ],
    });
    expect(marks(svg, 'line mark')).toBe(3);
    expect(marks(svg, 'point')).toBe(4 + 4 + 3);
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(['Y:loss', 'Y:validation']));
    expect(axisTitles(svg)).toContain('X:epoch');
  });

  it('projection: side-by-side panels with their own axis titles, a symbol per point and a rule per link', async () => {
    const pts = (k: number) => Array.from({ length: k }, (_, i) => ({ x: i, y: i * i }));
    const panel = (title: string, n: number) => ({
      title,
      xLabel: `${title} PC 1`,
      yLabel: `${title} PC 2`,
      series: [
        { name: 'behaviour', color: '#4e79a7', shape: 'circle' as const, points: pts(n) },
        { name: 'rationale', color: '#59a14f', shape: 'square' as const, points: pts(n) },
      ],
      links: pts(n).map((p) => ({ from: p, to: { x: p.x + 1, y: p.y } })),
    });
    const svg = await scatterChart({
      title: 'space',
      panels: [panel('before', 3), panel('after', 5)],
    });
    expect(marks(svg, 'point')).toBe(2 * 3 + 2 * 5);
    expect(marks(svg, 'rule mark')).toBe(3 + 5);
    expect(axisTitles(svg)).toEqual(
      expect.arrayContaining(['X:before PC 1', 'Y:before PC 2', 'X:after PC 1', 'Y:after PC 2']),
    );
    expect(svg).toContain('>before<');
    expect(svg).toContain('>after<');
  });

  it('latency percentiles: lines against load, or one bar per percentile and series', async () => {
    const vsLoad = await latencyPercentilesChart({
      title: 'gateway',
      loadLabel: 'requests/s',
      rows: [50, 100, 200].map((load) => ({
        series: 'Recommend',
        load,
        percentiles: { p50: load / 50, p99: load / 5 },
      })),
    });
    expect(marks(vsLoad, 'line mark')).toBe(2);
    expect(marks(vsLoad, 'point')).toBe(6);
    expect(axisTitles(vsLoad)).toEqual(expect.arrayContaining(['X:requests/s', 'Y:latency (ms)']));

    const bars = await latencyPercentilesChart({
      title: 'two deployments',
      rows: [
        { series: 'a', percentiles: { p99: 9, p50: 3, 'p99.9': 20 } },
        { series: 'b', percentiles: { p50: 2, p99: 7 } },
      ],
    });
    expect(marks(bars, 'bar')).toBe(5);
    expect(axisTitles(bars)).toEqual(expect.arrayContaining(['X:percentile', 'Y:latency (ms)']));
    expect(bars).toMatch(/values: p50, p99, p99\.9/); // percentiles in numeric order on the axis
  });

  it('scale curves: a line per stage and a point per measurement on log axes', async () => {
    const rows = ['load', 'train'].flatMap((stage, s) =>
      [1000, 10000, 100000].map((users) => ({ stage, users, seconds: (s + 1) * users * 1e-4 })),
    );
    const svg = await scaleChart({ title: 'scale', rows });
    expect(marks(svg, 'line mark')).toBe(2);
    expect(marks(svg, 'point')).toBe(6);
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(['X:users', 'Y:time (s)']));
    expect(svg).toMatch(/X-axis titled 'users' for a log scale/);
  });

  it('rejects bad input naming the field', () => {
    expect(() =>
      barChartSpec({
        title: 't',
        groups: [{ label: 'HR@1', values: [{ series: 'pop', value: NaN }] }],
      }),
    ).toThrow(/groups\[0\]\.values\[0\]\.value must be a finite number/);
    expect(() =>
      barChartSpec({
        title: 't',
        groups: [{ label: 'HR@1', values: [{ series: 'pop', value: 1, low: 0.5 }] }],
      }),
    ).toThrow(/groups\[0\]\.values\[0\] needs both low and high/);
    expect(() => scaleChart({ title: 's', rows: [{ stage: 'x', users: 0, seconds: 1 }] })).toThrow(
      /rows\[0\] needs users > 0/,
    );
    expect(() =>
      latencyPercentilesChart({ title: 'l', rows: [{ series: 'a', percentiles: { median: 3 } }] }),
    ).toThrow(/rows\[0\]\.percentiles key must look like p50/);
  });
});
