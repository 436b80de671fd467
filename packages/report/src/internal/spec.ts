import { InvalidArgumentError } from '@thoughtspace/runtime';
import type { TopLevelSpec } from 'vega-lite';

/** Shared look: readable fonts, legends under the plot, no chart border. */
export const CONFIG = {
  font: 'sans-serif',
  title: { anchor: 'start', fontSize: 15, subtitleColor: '#555', subtitleFontSize: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e8e8e8' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: null },
} as const;

/** A chart title with an optional subtitle (the dataset manifest, seed, CI method). */
export function chartTitle(title: string, subtitle?: string): TopLevelSpec['title'] {
  return subtitle ? { text: title, subtitle } : { text: title };
}

/** Names in first-seen order, so legends follow the caller's order and not the alphabet. */
export function firstSeen(names: Iterable<string>): string[] {
  return [...new Set(names)];
}

export function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new InvalidArgumentError(`${field} must be a non-empty string, got ${describe(value)}`);
  return value;
}

export function requireFinite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new InvalidArgumentError(`${field} must be a finite number, got ${describe(value)}`);
  return value;
}

export function requireNonEmpty<T>(value: readonly T[] | undefined, field: string): readonly T[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new InvalidArgumentError(`${field} must be a non-empty array, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a blank string';
  return value === null ? 'null' : typeof value;
}
