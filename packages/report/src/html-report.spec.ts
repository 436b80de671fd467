import { barChartSpec } from './bar-chart';
import { renderHtmlReport } from './html-report';
import { browserBundles } from './internal/bundles';
import { lineChartSpec } from './line-chart';

const bundles = browserBundles()
  .map((b) => b.code)
  .join('\n');

function report(): string {
  return renderHtmlReport({
    title: 'run <1>',
    sections: [
      {
        heading: 'Results',
        markdown: '| method | HR@1 |\n|---|---|\n| pop | 0.35 |\n\nraw <b>html</b> stays text',
      },
      {
        heading: 'Test metrics',
        spec: barChartSpec({
          title: 'metrics',
          groups: [
            { label: 'HR@1', values: [{ series: 'pop', value: 0.35, low: 0.34, high: 0.36 }] },
          ],
        }),
      },
      {
        heading: 'Curve',
        markdown: 'Loss per epoch.',
        spec: lineChartSpec({
          title: 'curve',
          xLabel: 'epoch',
          yLabel: 'loss',
          series: [
            {
              name: 'train',
              points: [
                { x: 1, y: 0.7 },
                { x: 2, y: 0.5 },
              ],
            },
          ],
        }),
      },
    ],
  });
}

describe('renderHtmlReport', () => {
  it('is self-contained: the library bundles verbatim, and no URL or external resource anywhere else', () => {
    let rest = report();
    for (const b of browserBundles()) {
      expect({ bundle: b.name, inlined: rest.includes(b.code) }).toEqual({
        bundle: b.name,
        inlined: true,
      });
      rest = rest.replace(b.code, '');
    }
    // What this package writes (page, markdown, specs, embed call) names no URL and loads nothing.
    expect(rest.match(/https?:|\/\/[a-z0-9-]+\.[a-z]/gi)).toBeNull();
    expect(rest.match(/\s(src|href)\s*=|<link\b|@import|url\(/gi)).toBeNull();
    // The only link vega-embed would add (its "open in editor" action) is switched off.
    expect(rest).toContain('editor: false');
  });

  it('inlines the three bundles and one spec per chart, with markdown rendered and raw HTML escaped', () => {
    const html = report();
    expect(html.length).toBeGreaterThan(bundles.length);
    expect(html.match(/<script\b/g)).toHaveLength(5); // 3 bundles, the specs, the embed call
    expect(html.match(/<\/script>/g)).toHaveLength(5);
    const json = /<script type="application\/json" id="chart-specs">([^<]*)<\/script>/.exec(html);
    const specs = JSON.parse(json?.[1] ?? 'null') as { title: { text: string } }[];
    expect(specs.map((s) => s.title.text)).toEqual(['metrics', 'curve']);
    expect(html.includes('<div class="chart" id="chart-1">')).toBe(true);
    expect(html.includes('<h1>run &lt;1&gt;</h1>')).toBe(true);
    expect(/<table>[\s\S]*<td>0.35<\/td>/.test(html)).toBe(true);
    expect(html.includes('raw &lt;b&gt;html&lt;/b&gt; stays text')).toBe(true);
  });

  it('rejects sections it cannot draw, naming the field', () => {
    expect(() => renderHtmlReport({ title: 't', sections: [] })).toThrow(
      /sections must be a non-empty array/,
    );
    expect(() => renderHtmlReport({ title: 't', sections: [{ heading: ' ' }] })).toThrow(
      /sections\[0\]\.heading must be a non-empty string/,
    );
    expect(() => renderHtmlReport({ title: 't', sections: [{ heading: 'h' }] })).toThrow(
      /sections\[0\] needs markdown, a spec or both/,
    );
  });
});
