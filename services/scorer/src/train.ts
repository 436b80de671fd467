import { adamW, Trainer, warmupCosine, type TensorValue } from '@thoughtspace/engine';
import { createProgress, createRng, InvalidArgumentError } from '@thoughtspace/runtime';
import { buildScorer, type ScorerGraph, type ScorerShape } from './model';

/** One training or evaluation case for the scorer. */
export interface ScorerExample {
  /** [C * F] numeric features, candidate-major. */
  features: Float32Array;
  /** [P] selected-reason embedding; null = no reason (zeros). */
  reason: Float32Array | null;
  /** [C * D] candidate item vectors. */
  items: Float32Array;
  /** Index of the true next item among the C candidates (training only; ignored at scoring). */
  label: number;
}

export interface ScorerConfig {
  hidden: number;
  epochs: number;
  batch: number;
  lr: number;
  weightDecay: number;
  seed: number;
  threads: number;
}

export const DEFAULT_SCORER_CONFIG: ScorerConfig = {
  hidden: 16,
  epochs: 15,
  batch: 256,
  lr: 0.01,
  weightDecay: 0.01,
  seed: 1,
  threads: 2,
};

export interface TrainedScorer {
  trainer: Trainer;
  model: ScorerGraph;
  shape: ScorerShape;
  losses: number[];
}

function checkShapes(examples: ScorerExample[], shape: Omit<ScorerShape, 'hidden'>): void {
  const { candidates: C, features: F, reasonDim: P, itemDim: D } = shape;
  examples.forEach((e, i) => {
    if (
      e.features.length !== C * F ||
      e.items.length !== C * D ||
      (e.reason && e.reason.length !== P)
    ) {
      throw new InvalidArgumentError(
        `scorer example ${i}: shapes do not match C=${C}, F=${F}, P=${P}, D=${D}`,
      );
    }
  });
}

function batchFeeds(
  examples: ScorerExample[],
  shape: ScorerShape,
  withLabel: boolean,
): Record<string, TensorValue> {
  const B = examples.length;
  const { candidates: C, features: F, reasonDim: P, itemDim: D } = shape;
  const features = new Float32Array(B * C * F);
  const reason = new Float32Array(B * P);
  const items = new Float32Array(B * C * D);
  const label = new BigInt64Array(B);
  examples.forEach((e, b) => {
    features.set(e.features, b * C * F);
    if (e.reason) reason.set(e.reason, b * P);
    items.set(e.items, b * C * D);
    label[b] = BigInt(withLabel ? e.label : 0);
  });
  return {
    features: { dtype: 'float32', dims: [B, C, F], data: features },
    reason: { dtype: 'float32', dims: [B, P], data: reason },
    items: { dtype: 'float32', dims: [B, C, D], data: items },
    label: { dtype: 'int64', dims: [B], data: label },
  };
}

/** Softmax cross-entropy over each case's candidates; AdamW with warmup + cosine decay. */
export async function trainScorer(o: {
  examples: ScorerExample[];
  shape: Omit<ScorerShape, 'hidden'>;
  config?: Partial<ScorerConfig>;
  label?: string;
  silent?: boolean;
}): Promise<TrainedScorer> {
  const config = { ...DEFAULT_SCORER_CONFIG, ...o.config };
  if (o.examples.length === 0) throw new InvalidArgumentError('scorer: no training examples');
  checkShapes(o.examples, o.shape);
  const shape: ScorerShape = { ...o.shape, hidden: config.hidden };
  const model = buildScorer(shape);
  const trainer = await Trainer.create({
    graph: model.graph,
    loss: model.loss,
    optimizer: adamW({ weightDecay: config.weightDecay }),
    seed: config.seed,
    threads: config.threads,
  });
  const steps = Math.ceil(o.examples.length / config.batch);
  const lr = warmupCosine({
    peak: config.lr,
    warmupSteps: steps,
    totalSteps: steps * config.epochs,
  });
  const progress = createProgress({
    label: o.label ?? 'train scorer',
    total: steps * config.epochs,
    unit: 'steps',
    silent: o.silent,
  });
  const losses: number[] = [];
  const order = o.examples.map((_, i) => i);
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    const rng = createRng(`scorer|${config.seed}|${epoch}`);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const batches = function* () {
      for (let s = 0; s < order.length; s += config.batch) {
        yield batchFeeds(
          order.slice(s, s + config.batch).map((k) => o.examples[k]),
          shape,
          true,
        );
      }
    };
    losses.push(await trainer.fit({ batches: batches(), lr, onStep: () => progress.tick() }));
  }
  progress.done();
  return { trainer, model, shape, losses };
}

/** Logits per case (the label is never fed: scoring cannot see the ground truth). */
export async function scoreExamples(
  trained: TrainedScorer,
  examples: ScorerExample[],
  batch = 512,
): Promise<Float32Array[]> {
  checkShapes(examples, trained.shape);
  const out: Float32Array[] = [];
  for (let s = 0; s < examples.length; s += batch) {
    const chunk = examples.slice(s, s + batch);
    const feeds = batchFeeds(chunk, trained.shape, false);
    const { logits } = await trained.trainer.evaluate(
      { features: feeds.features, reason: feeds.reason, items: feeds.items },
      { logits: trained.model.logits },
    );
    const C = trained.shape.candidates;
    const data = logits.data as Float32Array;
    chunk.forEach((_, i) => out.push(data.slice(i * C, (i + 1) * C)));
  }
  return out;
}
