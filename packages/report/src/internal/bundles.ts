import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Browser builds inlined into HTML reports, in load order (vega-lite needs vega, embed needs both). */
const BUNDLES = [
  ['vega', 'vega.min.js'],
  ['vega-lite', 'vega-lite.min.js'],
  ['vega-embed', 'vega-embed.min.js'],
] as const;

let cache: { name: string; code: string }[] | undefined;

/**
 * The minified browser bundles, read from the installed packages (next to each
 * package's main file: vega-embed's `exports` hides its other build files).
 */
export function browserBundles(): { name: string; code: string }[] {
  cache ??= BUNDLES.map(([pkg, file]) => ({
    name: `${pkg}/${file}`,
    code: readFileSync(join(dirname(require.resolve(pkg)), file), 'utf8'),
  }));
  return cache;
}
