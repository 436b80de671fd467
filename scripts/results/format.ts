/** Small formatting helpers shared by the generators. */
export interface Interval {
  mean: number;
  low: number;
  high: number;
}

export const fixed = (x: number, digits = 4): string => x.toFixed(digits);

export const interval = (i: Interval, digits = 4): string =>
  `${fixed(i.mean, digits)} [${fixed(i.low, digits)}, ${fixed(i.high, digits)}]`;

export const signed = (x: number, digits = 4): string => `${x >= 0 ? '+' : ''}${fixed(x, digits)}`;

export const pValue = (p: number): string =>
  p < 0.001 ? p.toFixed(4) : p.toFixed(p < 0.1 ? 4 : 2);

export const thousands = (x: number, digits = 0): string =>
  x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export const shortHash = (hash: string): string => hash.slice(0, 12);

/** A Markdown table. */
export function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}
