import { escapeXml, svgDocument } from './svg';

export interface ScatterSeries {
  name: string;
  color: string;
  shape: 'circle' | 'square' | 'cross';
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

const W = 420;
const H = 380;
const M = { left: 44, right: 14, top: 46, bottom: 40 };

/** Side-by-side scatter panels with a shared legend, as a standalone SVG document. */
export function scatterChart(options: {
  title: string;
  subtitle?: string;
  panels: ScatterPanel[];
}): string {
  const width = W * options.panels.length;
  const height = H + 60;
  const body: string[] = [
    `<text x="12" y="20" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  if (options.subtitle)
    body.push(`<text x="12" y="36" fill="#555">${escapeXml(options.subtitle)}</text>`);
  options.panels.forEach((p, i) => body.push(panel(p, i * W, 30)));
  const legend = options.panels[0]?.series ?? [];
  legend.forEach((s, i) => {
    const x = 16 + i * 200;
    const y = height - 14;
    body.push(
      marker(s.shape, x, y - 4, s.color),
      `<text x="${x + 10}" y="${y}">${escapeXml(s.name)}</text>`,
    );
  });
  return svgDocument(width, height, body);
}

function panel(p: ScatterPanel, x0: number, y0: number): string {
  const all = [...p.series.flatMap((s) => s.points)];
  const xs = all.map((q) => q.x);
  const ys = all.map((q) => q.y);
  const pad = (lo: number, hi: number) => {
    const span = hi - lo || 1;
    return [lo - span * 0.05, hi + span * 0.05];
  };
  const [xMin, xMax] = pad(Math.min(...xs, 0), Math.max(...xs, 0));
  const [yMin, yMax] = pad(Math.min(...ys, 0), Math.max(...ys, 0));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => x0 + M.left + ((x - xMin) / (xMax - xMin)) * pw;
  const sy = (y: number) => y0 + M.top + ph - ((y - yMin) / (yMax - yMin)) * ph;
  const out: string[] = [
    `<text x="${x0 + M.left}" y="${y0 + M.top - 8}" font-weight="bold">${escapeXml(p.title)}</text>`,
    `<rect x="${x0 + M.left}" y="${y0 + M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
    `<line x1="${sx(0).toFixed(1)}" y1="${y0 + M.top}" x2="${sx(0).toFixed(1)}" y2="${y0 + M.top + ph}" stroke="#eee"/>`,
    `<line x1="${x0 + M.left}" y1="${sy(0).toFixed(1)}" x2="${x0 + M.left + pw}" y2="${sy(0).toFixed(1)}" stroke="#eee"/>`,
    `<text x="${x0 + M.left + pw / 2}" y="${y0 + H - 12}" text-anchor="middle" fill="#555">${escapeXml(p.xLabel ?? 'PC 1')}</text>`,
    `<text x="${x0 + 14}" y="${y0 + M.top + ph / 2}" text-anchor="middle" fill="#555" transform="rotate(-90 ${x0 + 14} ${y0 + M.top + ph / 2})">${escapeXml(p.yLabel ?? 'PC 2')}</text>`,
  ];
  for (const l of p.links ?? []) {
    out.push(
      `<line x1="${sx(l.from.x).toFixed(1)}" y1="${sy(l.from.y).toFixed(1)}" x2="${sx(l.to.x).toFixed(1)}" y2="${sy(l.to.y).toFixed(1)}" stroke="#bbb" stroke-width="0.7"/>`,
    );
  }
  for (const s of p.series)
    for (const q of s.points) out.push(marker(s.shape, sx(q.x), sy(q.y), s.color));
  return out.join('\n');
}

function marker(shape: ScatterSeries['shape'], x: number, y: number, color: string): string {
  const X = x.toFixed(1);
  const Y = y.toFixed(1);
  if (shape === 'square')
    return `<rect x="${(x - 3).toFixed(1)}" y="${(y - 3).toFixed(1)}" width="6" height="6" fill="${color}" fill-opacity="0.8"/>`;
  if (shape === 'cross')
    return `<path d="M${(x - 3).toFixed(1)},${(y - 3).toFixed(1)}L${(x + 3).toFixed(1)},${(y + 3).toFixed(1)}M${(x - 3).toFixed(1)},${(y + 3).toFixed(1)}L${(x + 3).toFixed(1)},${(y - 3).toFixed(1)}" stroke="${color}" stroke-width="1.4"/>`;
  return `<circle cx="${X}" cy="${Y}" r="3.2" fill="${color}" fill-opacity="0.8"/>`;
}
