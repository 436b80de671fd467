import { PALETTE, niceScale, svgDocument, text } from './svg';

export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
}

/** Line chart (e.g. a learning curve), as a standalone SVG document. */
export function lineChart(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  subtitle?: string;
}): string {
  const margin = { top: 56, right: 160, bottom: 48, left: 64 };
  const plotW = 520;
  const plotH = 280;
  const all = options.series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map((p) => p.x));
  const xMin = Math.min(xMax - 1, ...all.map((p) => p.x));
  const ys = niceScale(Math.max(0, ...all.map((p) => p.y)));
  const x = (v: number): number => margin.left + ((v - xMin) / (xMax - xMin)) * plotW;
  const y = (v: number): number => margin.top + plotH - (v / ys.max) * plotH;
  const body: string[] = [
    text(margin.left, 22, options.title, 'font-size="15" font-weight="bold"'),
  ];
  if (options.subtitle) body.push(text(margin.left, 40, options.subtitle, 'fill="#555"'));
  for (let t = 0; t <= ys.max + 1e-9; t += ys.step) {
    body.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e5e5e5"/>`,
    );
    body.push(
      text(
        margin.left - 6,
        y(t) + 4,
        t.toFixed(ys.step < 0.1 ? 2 : 1),
        'text-anchor="end" fill="#555"',
      ),
    );
  }
  body.push(
    text(margin.left + plotW / 2, margin.top + plotH + 36, options.xLabel, 'text-anchor="middle"'),
  );
  body.push(
    text(margin.left, margin.top + plotH + 18, String(xMin), 'text-anchor="middle" fill="#555"'),
  );
  body.push(
    text(
      margin.left + plotW,
      margin.top + plotH + 18,
      String(xMax),
      'text-anchor="middle" fill="#555"',
    ),
  );
  body.push(
    text(
      16,
      margin.top + plotH / 2,
      options.yLabel,
      `transform="rotate(-90 16 ${margin.top + plotH / 2})" text-anchor="middle"`,
    ),
  );
  options.series.forEach((s, si) => {
    const color = PALETTE[si % PALETTE.length];
    const d = s.points
      .map((p, i) => `${i ? 'L' : 'M'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`)
      .join(' ');
    body.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    const ly = margin.top + 12 + si * 18;
    body.push(
      `<rect x="${margin.left + plotW + 16}" y="${ly - 10}" width="12" height="12" fill="${color}"/>`,
    );
    body.push(text(margin.left + plotW + 34, ly, s.name));
  });
  return svgDocument(margin.left + plotW + margin.right, margin.top + plotH + margin.bottom, body);
}
