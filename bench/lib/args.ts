/**
 * Command-line flags of the benchmark scripts: `--name value`. Shared by
 * every bench so that a flag given without a value behaves the same
 * everywhere (the fallback, or an error when the flag is required).
 */

/** The value after `--name`, else `fallback`; without a fallback the flag is required. */
export function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
}

/** `--name` as a positive integer (default `fallback`). */
export function positiveInt(name: string, fallback: string): number {
  const v = Number(arg(name, fallback));
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}: expected a positive integer`);
  return v;
}
