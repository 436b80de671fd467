import type { Dataset, LeaveOneOut } from '@thoughtspace/data';
import type { ChartSpec } from '@thoughtspace/report';
import {
  positiveRationalePairs,
  projectionSpec,
  runPhaseOne,
  type ThoughtSpace,
  type ThoughtSpaceConfig,
} from '@thoughtspace/encoder';
import { renderBehaviourText } from '@thoughtspace/text';
import type { ReasonPort } from '../ports';
import { PREVIOUS_WINDOWS, sizeWindow, type LengthReport } from './windows';

export interface PhaseOneSummary {
  trainedOn: string;
  /** SVG: PCA of held-out behaviour / positive / negative embeddings before and after training. */
  /** Vega-Lite spec: PCA of held-out behaviour / positive / negative embeddings before and after training. */
  projection: ChartSpec;
  pairs: number;
  heldOutPairs: number;
  recallBefore: { mean: number; low: number; high: number };
  recallAfter: { mean: number; low: number; high: number };
  chance: number;
  trainSeconds: number;
  /** Token-length distributions of the encoder's inputs and the windows sized from them. */
  windows: { rationale: LengthReport; behaviour: LengthReport };
}

/**
 * Stage: Phase I. Positive rationales for training targets only (the last
 * training item of each user), from this dataset or, cross-domain, another
 * one; then the encoder's Phase I (split by user, train, recall before and
 * after, projection). The caller disposes the returned space.
 */
export async function phaseOneStage(o: {
  dataset: Dataset;
  loo: LeaveOneOut;
  name: string;
  reasons: ReasonPort;
  provider: string;
  seed: number;
  encoderConfig?: Partial<ThoughtSpaceConfig>;
  /** Texts E1 will read in Phase II (tree leaves of sampled cases): they size its window too. */
  leafSamples?: readonly string[];
  silent?: boolean;
  log: (line: string) => void;
}): Promise<{ space: ThoughtSpace; summary: PhaseOneSummary }> {
  const pairs = await positiveRationalePairs({
    dataset: o.dataset,
    loo: o.loo,
    render: renderBehaviourText,
    positive: async (history, target) => (await o.reasons.positive({ history, target })).reason,
  });
  // Windows sized so each tower reads 95% of its inputs whole (the E1 window also covers tree leaves).
  const windows = {
    rationale: sizeWindow(
      [...pairs.map((p) => p.rationale), ...(o.leafSamples ?? [])],
      PREVIOUS_WINDOWS.rationale,
    ),
    behaviour: sizeWindow(
      pairs.map((p) => p.behaviour),
      PREVIOUS_WINDOWS.behaviour,
    ),
  };
  for (const [tower, w] of Object.entries(windows))
    o.log(
      `thought space: ${tower} tokens p50 ${w.p50}, p95 ${w.p95}, max ${w.max} over ${w.texts} texts -> window ${w.window} (truncates ${(100 * w.truncatedShare).toFixed(1)}%; the old ${w.previousWindow} truncated ${(100 * w.truncatedShareAtPrevious).toFixed(1)}%)`,
    );
  const phase = await runPhaseOne({
    pairs,
    heldOutFraction: 0.1,
    seed: o.seed,
    config: {
      rationaleTokens: windows.rationale.window,
      behaviourTokens: windows.behaviour.window,
      ...o.encoderConfig,
    },
    silent: o.silent,
    log: o.log,
  });
  const { space, recallBefore, recallAfter } = phase;
  o.log(
    `thought space: ${phase.train.length} positive rationales from training targets of ${o.name} (${phase.heldOut.length} held out), provider ${o.provider}`,
  );
  o.log(
    `thought space: held-out recall@1 among 11 ${recallAfter.recallAt1.mean.toFixed(3)} (before training ${recallBefore.recallAt1.mean.toFixed(3)}, chance ${recallAfter.chance.toFixed(3)})`,
  );
  const projection = projectionSpec({
    title:
      "Thought Space: held-out behaviours, their positive rationales and other users' rationales",
    subtitle: `provider ${o.provider}, seed ${o.seed}, PCA of 60 held-out users`,
    panels: [
      { title: 'before training', sample: phase.sampleBefore },
      { title: 'after training', sample: phase.sampleAfter },
    ],
  });
  return {
    space,
    summary: {
      trainedOn: o.name,
      projection,
      pairs: phase.train.length,
      heldOutPairs: phase.heldOut.length,
      recallAfter: recallAfter.recallAt1,
      recallBefore: recallBefore.recallAt1,
      chance: recallAfter.chance,
      trainSeconds: space.summary.trainSeconds,
      windows,
    },
  };
}
