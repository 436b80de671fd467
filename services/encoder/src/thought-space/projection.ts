import { pca } from './pca';
import {
  renderSvg,
  scatterChartSpec,
  type ChartSpec,
  type ScatterPanel,
} from '@thoughtspace/report';
import type { TextEncoders } from './encode';
import type { ThoughtPair } from './train';

/** Embeddings of a few held-out pairs: each behaviour, its own rationale and one other user's. */
export interface ProjectionSample {
  behaviours: Float32Array[];
  positives: Float32Array[];
  negatives: Float32Array[];
}

/** The first `count` pairs, each with negative `negativeIndex[i][0]` (from evaluateRecall's sample). */
export async function projectionSample(
  encoders: TextEncoders,
  pairs: readonly ThoughtPair[],
  negativeIndex: readonly Int32Array[],
  count = 60,
): Promise<ProjectionSample> {
  const n = Math.min(count, pairs.length);
  const picked = pairs.slice(0, n);
  return {
    behaviours: await encoders.encodeBehaviours(picked.map((p) => p.behaviour)),
    positives: await encoders.encodeRationales(picked.map((p) => p.rationale)),
    negatives: await encoders.encodeRationales(
      picked.map((_, i) => pairs[negativeIndex[i][0]].rationale),
    ),
  };
}

export interface ProjectionOptions {
  title: string;
  subtitle?: string;
  panels: { title: string; sample: ProjectionSample }[];
}

/** One PCA panel per sample (PCA fitted on that panel's 3n points), as a vega-lite spec. */
export function projectionSpec(options: ProjectionOptions): ChartSpec {
  const panels: ScatterPanel[] = options.panels.map(({ title, sample }) => {
    const n = sample.behaviours.length;
    const { coords, explained } = pca([
      ...sample.behaviours,
      ...sample.positives,
      ...sample.negatives,
    ]);
    const pt = (i: number) => ({ x: coords[i][0], y: coords[i][1] });
    const range = (from: number) => Array.from({ length: n }, (_, i) => pt(from + i));
    return {
      title,
      xLabel: `PC 1 (${(100 * explained[0]).toFixed(0)}% of variance)`,
      yLabel: `PC 2 (${(100 * explained[1]).toFixed(0)}%)`,
      series: [
        { name: 'behaviour (E2)', color: '#4e79a7', shape: 'circle', points: range(0) },
        { name: 'own rationale (E1)', color: '#59a14f', shape: 'square', points: range(n) },
        {
          name: "another user's rationale (E1)",
          color: '#e15759',
          shape: 'cross',
          points: range(2 * n),
        },
      ],
      links: Array.from({ length: n }, (_, i) => ({ from: pt(i), to: pt(n + i) })),
    };
  });
  return scatterChartSpec({ title: options.title, subtitle: options.subtitle, panels });
}

/** The projection as a standalone SVG document. */
export function projectionSvg(options: ProjectionOptions): Promise<string> {
  return renderSvg(projectionSpec(options));
}
