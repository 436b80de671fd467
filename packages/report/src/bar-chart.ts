import { PALETTE, niceScale, svgDocument, text } from './svg';

export interface BarValue {
  /** Series name (e.g. a method). */
  series: string;
  value: number;
  /** Optional confidence interval, drawn as an error bar. */
  low?: number;
  high?: number;
}

export interface BarGroup {
  /** Group label on the x axis (e.g. a metric). */
  label: string;
  values: BarValue[];
}

/** Grouped bar chart with error bars, as a standalone SVG document. */
export function barChart(options: {
  title: string;
  yLabel?: string;
  groups: BarGroup[];
  subtitle?: string;
}): string {
  const series = [...new Set(options.groups.flatMap((g) => g.values.map((v) => v.series)))];
  const margin = { top: 56, right: 24, bottom: 48 + 18 * Math.ceil(series.length / 3), left: 64 };
  const groupWidth = Math.max(60, series.length * 18 + 24);
  const width = margin.left + margin.right + groupWidth * options.groups.length;
  const plotH = 280;
  const height = margin.top + plotH + margin.bottom;
  const maxVal = Math.max(
    0,
    ...options.groups.flatMap((g) => g.values.map((v) => Math.max(v.value, v.high ?? v.value))),
  );
  const scale = niceScale(maxVal);
  const y = (v: number): number => margin.top + plotH - (v / scale.max) * plotH;
  const body: string[] = [
    text(margin.left, 22, options.title, 'font-size="15" font-weight="bold"'),
  ];
  if (options.subtitle) body.push(text(margin.left, 40, options.subtitle, 'fill="#555"'));
  for (let t = 0; t <= scale.max + 1e-9; t += scale.step) {
    body.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e5e5e5"/>`,
    );
    body.push(
      text(
        margin.left - 6,
        y(t) + 4,
        t.toFixed(scale.step < 0.1 ? 2 : 1),
        'text-anchor="end" fill="#555"',
      ),
    );
  }
  if (options.yLabel)
    body.push(
      text(
        16,
        margin.top + plotH / 2,
        options.yLabel,
        `transform="rotate(-90 16 ${margin.top + plotH / 2})" text-anchor="middle"`,
      ),
    );
  const barW = (groupWidth - 24) / Math.max(1, series.length);
  options.groups.forEach((g, gi) => {
    const gx = margin.left + gi * groupWidth + 12;
    for (const v of g.values) {
      const si = series.indexOf(v.series);
      const x = gx + si * barW;
      const color = PALETTE[si % PALETTE.length];
      body.push(
        `<rect x="${x.toFixed(1)}" y="${y(v.value).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(margin.top + plotH - y(v.value)).toFixed(1)}" fill="${color}"/>`,
      );
      if (v.low !== undefined && v.high !== undefined) {
        const cx = x + (barW - 2) / 2;
        body.push(
          `<line x1="${cx.toFixed(1)}" x2="${cx.toFixed(1)}" y1="${y(v.low).toFixed(1)}" y2="${y(v.high).toFixed(1)}" stroke="#222"/>`,
        );
        for (const b of [v.low, v.high])
          body.push(
            `<line x1="${(cx - 3).toFixed(1)}" x2="${(cx + 3).toFixed(1)}" y1="${y(b).toFixed(1)}" y2="${y(b).toFixed(1)}" stroke="#222"/>`,
          );
      }
    }
    body.push(
      text(gx + (groupWidth - 24) / 2, margin.top + plotH + 18, g.label, 'text-anchor="middle"'),
    );
  });
  series.forEach((s, si) => {
    const lx = margin.left + (si % 3) * 200;
    const ly = margin.top + plotH + 40 + Math.floor(si / 3) * 18;
    body.push(
      `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${PALETTE[si % PALETTE.length]}"/>`,
    );
    body.push(text(lx + 18, ly, s));
  });
  return svgDocument(Math.max(width, margin.left + 600), height, body);
}
