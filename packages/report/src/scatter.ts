import { chartTitle, requireFinite, requireNonEmpty, requireText } from './internal/spec';
import { renderSvg, type ChartSpec } from './render';

export interface ScatterSeries {
  name: string;
  color: string;
  /** A vega symbol: 'cross' is a plus sign. */
  shape: 'circle' | 'square' | 'cross' | 'diamond' | 'triangle-up';
  points: { x: number; y: number }[];
}

export interface ScatterPanel {
  title: string;
  series: ScatterSeries[];
  /** Thin segments, e.g. a behaviour to its positive rationale. */
  links?: { from: { x: number; y: number }; to: { x: number; y: number } }[];
  xLabel?: string;
  yLabel?: string;
}

export interface ScatterChartOptions {
  title: string;
  subtitle?: string;
  panels: ScatterPanel[];
}

/**
 * Side-by-side scatter panels (e.g. before / after training) with their own
 * axes and one shared legend. Series are matched across panels by name.
 */
export function scatterChartSpec(options: ScatterChartOptions): ChartSpec {
  const panels = requireNonEmpty(options.panels, 'panels');
  const legend = new Map<string, ScatterSeries>();
  for (const p of panels) for (const s of p.series) if (!legend.has(s.name)) legend.set(s.name, s);
  const hconcat = panels.map((p, pi) => {
    const at = `panels[${pi}]`;
    requireText(p.title, `${at}.title`);
    const points = requireNonEmpty(p.series, `${at}.series`).flatMap((s, si) => {
      requireText(s.name, `${at}.series[${si}].name`);
      return s.points.map((q, qi) => ({
        series: s.name,
        x: requireFinite(q.x, `${at}.series[${si}].points[${qi}].x`),
        y: requireFinite(q.y, `${at}.series[${si}].points[${qi}].y`),
      }));
    });
    const links = (p.links ?? []).map((l, li) => ({
      x: requireFinite(l.from.x, `${at}.links[${li}].from.x`),
      y: requireFinite(l.from.y, `${at}.links[${li}].from.y`),
      x2: requireFinite(l.to.x, `${at}.links[${li}].to.x`),
      y2: requireFinite(l.to.y, `${at}.links[${li}].to.y`),
    }));
    const x = { type: 'quantitative', title: p.xLabel ?? 'PC 1', scale: { zero: false } };
    const y = { type: 'quantitative', title: p.yLabel ?? 'PC 2', scale: { zero: false } };
    const layer: object[] = [];
    if (links.length > 0)
      layer.push({
        data: { values: links },
        mark: { type: 'rule', color: '#bbb', strokeWidth: 0.7 },
        encoding: {
          x: { field: 'x', ...x },
          y: { field: 'y', ...y },
          x2: { field: 'x2' },
          y2: { field: 'y2' },
        },
      });
    layer.push({
      data: { values: points },
      mark: { type: 'point', filled: true, size: 40, opacity: 0.85 },
      encoding: {
        x: { field: 'x', ...x },
        y: { field: 'y', ...y },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          scale: { domain: [...legend.keys()], range: [...legend.values()].map((s) => s.color) },
          legend: { orient: 'bottom', direction: 'horizontal' },
        },
        shape: {
          field: 'series',
          type: 'nominal',
          scale: { domain: [...legend.keys()], range: [...legend.values()].map((s) => s.shape) },
        },
        tooltip: [
          { field: 'series', title: 'series' },
          { field: 'x', format: '.3f' },
          { field: 'y', format: '.3f' },
        ],
      },
    });
    return { title: { text: p.title, fontSize: 13 }, width: 360, height: 320, layer };
  });
  return {
    title: chartTitle(options.title, options.subtitle),
    hconcat,
    resolve: {
      scale: { x: 'independent', y: 'independent', color: 'shared', shape: 'shared' },
    },
  } as ChartSpec;
}

/** The scatter panels as a standalone SVG document. */
export function scatterChart(options: ScatterChartOptions): Promise<string> {
  return renderSvg(scatterChartSpec(options));
}
