import { View, parse, type Spec } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { CONFIG } from './internal/spec';

/** A vega-lite specification, as the chart builders in this package return it. */
export type ChartSpec = TopLevelSpec;

/** The Vega specification a chart compiles to (what vega-embed and `renderSvg` run). */
export function compileChart(spec: ChartSpec): Spec {
  return compile(withConfig(spec)).spec as Spec;
}

/** Render a chart headless (no browser, no canvas) to a standalone SVG document. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const view = new View(parse(compileChart(spec)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The package's shared look, under whatever config the spec sets itself. */
export function withConfig(spec: ChartSpec): ChartSpec {
  return { ...spec, config: { ...CONFIG, ...spec.config } } as ChartSpec;
}
