import { adamW, Trainer, warmupCosine, type Feeds, type TypedData } from '@thoughtspace/engine';
import {
  createProgress,
  createRng,
  formatDuration,
  InvalidArgumentError,
} from '@thoughtspace/runtime';
import { Tokenizer } from '../tokenizer';
import { TRUNCATION, validateConfig, type ThoughtSpaceConfig } from './config';
import { encodeTexts, towerLength, type TextEncoders } from './encode';
import { buildThoughtSpace, type ThoughtSpaceGraph, type TowerName } from './graph';
import { readWordVectors, wordVectorInit } from './word-vectors';

/** One training example: a behaviour text and the rationale that explains its next step. */
export interface ThoughtPair {
  behaviour: string;
  rationale: string;
  /** Who the pair belongs to; splits and groups are by user. */
  user: string;
}

export interface EpochPoint {
  epoch: number;
  loss: number;
  seconds: number;
}

export interface TrainSummary {
  steps: number;
  epochs: number;
  trainSeconds: number;
  pairsPerSecond: number;
  /** Vocabulary rows initialised from word vectors (0 without them). */
  wordVectorsCovered: number;
  curve: EpochPoint[];
}

/**
 * The two towers in training: a Trainer over the Thought Space graph plus the
 * tokenizer. Encodes through the training graph's forward (dropout off).
 */
export class ThoughtSpace implements TextEncoders {
  summary: TrainSummary;

  private constructor(
    readonly config: ThoughtSpaceConfig,
    readonly tokenizer: Tokenizer,
    readonly model: ThoughtSpaceGraph,
    readonly trainer: Trainer,
    wordVectorsCovered: number,
  ) {
    this.summary = {
      steps: 0,
      epochs: 0,
      trainSeconds: 0,
      pairsPerSecond: 0,
      wordVectorsCovered,
      curve: [],
    };
  }

  /** Build the vocabulary from the pairs' texts and the untrained (initialised) towers. */
  static async create(options: {
    pairs: readonly ThoughtPair[];
    config?: Partial<ThoughtSpaceConfig>;
  }): Promise<ThoughtSpace> {
    const config = validateConfig(options.config);
    if (options.pairs.length === 0)
      throw new InvalidArgumentError('trainThoughtSpace: pairs is empty');
    const tokenizer = Tokenizer.build(
      options.pairs.flatMap((p) => [p.behaviour, p.rationale]),
      { minCount: config.minCount, maxSize: config.maxVocab },
    );
    let covered = 0;
    let init;
    if (config.wordVectors) {
      const wv = await readWordVectors(config.wordVectors, new Set(tokenizer.vocab));
      if (wv.dim !== config.embeddingDim) {
        throw new InvalidArgumentError(
          `config.embeddingDim ${config.embeddingDim} must equal the word vectors' dimension ${wv.dim} (${config.wordVectors})`,
        );
      }
      ({ init, covered } = wordVectorInit(tokenizer.vocab, wv));
    }
    const model = buildThoughtSpace(config, tokenizer.size, init);
    const trainer = await Trainer.create({
      graph: model.graph,
      loss: model.loss,
      optimizer: adamW({ weightDecay: config.weightDecay }),
      clipNorm: config.clipNorm > 0 ? config.clipNorm : undefined,
      seed: config.seed,
      threads: config.threads,
    });
    return new ThoughtSpace(config, tokenizer, model, trainer, covered);
  }

  /** Train for config.epochs over `pairs` (InfoNCE in groups of groupSize). */
  async fit(options: {
    pairs: readonly ThoughtPair[];
    silent?: boolean;
    log?: (line: string) => void;
  }): Promise<TrainSummary> {
    const c = this.config;
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const encoded = encodePairs(this.tokenizer, c, options.pairs);
    const perStep = c.groupSize * c.groupsPerStep;
    const stepsPerEpoch = Math.floor(options.pairs.length / perStep);
    if (stepsPerEpoch === 0) {
      throw new InvalidArgumentError(
        `trainThoughtSpace: ${options.pairs.length} pairs are fewer than one step (groupSize ${c.groupSize} x groupsPerStep ${c.groupsPerStep})`,
      );
    }
    const total = stepsPerEpoch * c.epochs;
    const lr = warmupCosine({
      peak: c.lr,
      warmupSteps: Math.round(total * c.warmupFraction),
      totalSteps: total,
    });
    const progress = createProgress({
      label: 'train thought space',
      total,
      unit: 'steps',
      silent: options.silent,
      intervalMs: 10_000,
    });
    const t0 = performance.now();
    for (let epoch = 1; epoch <= c.epochs; epoch++) {
      const e0 = performance.now();
      const loss = await this.trainer.fit({
        batches: epochBatches(encoded, c, epoch),
        lr: (step) => lr(step),
        onStep: () => progress.tick(),
      });
      const seconds = (performance.now() - e0) / 1000;
      this.summary.curve.push({ epoch, loss, seconds });
      const elapsed = (performance.now() - t0) / 1000;
      if (!options.silent) {
        log(
          `epoch ${epoch}/${c.epochs}: InfoNCE loss ${loss.toFixed(4)} (chance ${Math.log(c.groupSize).toFixed(4)}), ` +
            `${seconds.toFixed(1)} s, ${((stepsPerEpoch * perStep) / seconds).toFixed(0)} pairs/s, ETA ${formatDuration(((c.epochs - epoch) * elapsed) / epoch)}`,
        );
      }
    }
    progress.done();
    const trainSeconds = (performance.now() - t0) / 1000;
    this.summary = {
      ...this.summary,
      steps: this.trainer.state.step,
      epochs: this.summary.epochs + c.epochs,
      trainSeconds: this.summary.trainSeconds + trainSeconds,
      pairsPerSecond: (total * perStep) / trainSeconds,
    };
    return this.summary;
  }

  encodeRationales(texts: readonly string[]): Promise<Float32Array[]> {
    return this.encode('rationale', texts);
  }

  encodeBehaviours(texts: readonly string[]): Promise<Float32Array[]> {
    return this.encode('behaviour', texts);
  }

  get parameters(): ReadonlyMap<string, TypedData> {
    return this.trainer.parameters;
  }

  async dispose(): Promise<void> {
    await this.trainer.dispose();
  }

  private encode(tower: TowerName, texts: readonly string[]): Promise<Float32Array[]> {
    const out = this.model[tower].embedding;
    return encodeTexts(this.tokenizer, this.config, tower, texts, async (feeds) => {
      const res = await this.trainer.evaluate(feeds, { [`${tower}_embedding`]: out });
      return res[`${tower}_embedding`];
    });
  }
}

/**
 * Train E1 and E2 on `pairs`: build the vocabulary, initialise (from word
 * vectors when config.wordVectors is set), and run config.epochs epochs.
 * The caller splits users into train and held-out (see `splitByUser`).
 */
export async function trainThoughtSpace(options: {
  pairs: readonly ThoughtPair[];
  config?: Partial<ThoughtSpaceConfig>;
  silent?: boolean;
  log?: (line: string) => void;
}): Promise<ThoughtSpace> {
  const space = await ThoughtSpace.create(options);
  try {
    await space.fit(options);
  } catch (err) {
    await space.dispose();
    throw err;
  }
  return space;
}

/** Deterministic split of pairs by user: about `heldOutFraction` of users are held out. */
export function splitByUser<P extends { user: string }>(
  pairs: readonly P[],
  heldOutFraction: number,
  seed: number,
): { train: P[]; heldOut: P[] } {
  if (!(heldOutFraction >= 0 && heldOutFraction <= 1)) {
    throw new InvalidArgumentError(
      `splitByUser: heldOutFraction must be in [0, 1], got ${heldOutFraction}`,
    );
  }
  const users = [...new Set(pairs.map((p) => p.user))].sort();
  const rng = createRng(`encoder-split|${seed}`);
  shuffle(users, rng);
  const held = new Set(users.slice(0, Math.round(users.length * heldOutFraction)));
  return {
    train: pairs.filter((p) => !held.has(p.user)),
    heldOut: pairs.filter((p) => held.has(p.user)),
  };
}

interface EncodedPairs {
  pairs: readonly ThoughtPair[];
  rationaleIds: Int32Array[];
  rationaleLen: Int32Array;
  behaviourIds: Int32Array[];
  behaviourLen: Int32Array;
}

function encodePairs(
  tokenizer: Tokenizer,
  c: ThoughtSpaceConfig,
  pairs: readonly ThoughtPair[],
): EncodedPairs {
  const enc = (tower: TowerName, texts: string[]) => {
    const L = towerLength(c, tower);
    const rows = texts.map((t) => tokenizer.encode(t, L, TRUNCATION[tower]));
    return { ids: rows.map((r) => r.ids), len: Int32Array.from(rows, (r) => r.length) };
  };
  const r = enc(
    'rationale',
    pairs.map((p) => p.rationale),
  );
  const b = enc(
    'behaviour',
    pairs.map((p) => p.behaviour),
  );
  return {
    pairs,
    rationaleIds: r.ids,
    rationaleLen: r.len,
    behaviourIds: b.ids,
    behaviourLen: b.len,
  };
}

function shuffle<T>(a: T[], rng: { int(n: number): number }): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
}

/**
 * One epoch of training feeds. Pairs are shuffled (seeded by epoch), then
 * packed into groups in which no user and no rationale text appears twice: a
 * duplicate would be a negative identical to the positive. Pairs that do not
 * fit a group wait for the next one; leftovers at the end are dropped.
 */
function* epochBatches(e: EncodedPairs, c: ThoughtSpaceConfig, epoch: number): Generator<Feeds> {
  const order = [...e.pairs.keys()];
  shuffle(order, createRng(`encoder-epoch|${c.seed}|${epoch}`));
  const S = c.groupSize;
  const G = c.groupsPerStep;
  const waiting: number[] = [];
  let next = 0;
  const takeGroup = (): number[] | undefined => {
    const group: number[] = [];
    const users = new Set<string>();
    const texts = new Set<string>();
    const fits = (i: number) => !users.has(e.pairs[i].user) && !texts.has(e.pairs[i].rationale);
    const add = (i: number) => {
      group.push(i);
      users.add(e.pairs[i].user);
      texts.add(e.pairs[i].rationale);
    };
    for (let w = 0; w < waiting.length && group.length < S;) {
      if (fits(waiting[w])) add(waiting.splice(w, 1)[0]);
      else w++;
    }
    while (group.length < S && next < order.length) {
      const i = order[next++];
      if (fits(i)) add(i);
      else waiting.push(i);
    }
    return group.length === S ? group : undefined;
  };
  for (;;) {
    const rows: number[] = [];
    for (let k = 0; k < G; k++) {
      const group = takeGroup();
      if (!group) return;
      rows.push(...group);
    }
    yield trainFeeds(e, c, rows);
  }
}

function trainFeeds(e: EncodedPairs, c: ThoughtSpaceConfig, rows: number[]): Feeds {
  const tower = (name: TowerName, ids: Int32Array[], len: Int32Array): Feeds => {
    const L = towerLength(c, name);
    const tokens = new BigInt64Array(rows.length * L);
    const mask = new Float32Array(rows.length * L);
    rows.forEach((r, i) => {
      for (let j = 0; j < L; j++) tokens[i * L + j] = BigInt(ids[r][j]);
      mask.fill(1, i * L, i * L + len[r]);
    });
    return {
      [`train.${name}_tokens`]: { dtype: 'int64', dims: [rows.length, L], data: tokens },
      [`train.${name}_mask`]: { dtype: 'float32', dims: [rows.length, L], data: mask },
    };
  };
  return {
    ...tower('rationale', e.rationaleIds, e.rationaleLen),
    ...tower('behaviour', e.behaviourIds, e.behaviourLen),
  };
}
