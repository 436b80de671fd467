import type { Feeds, TensorValue } from '@thoughtspace/engine';
import type { Tokenizer } from '../tokenizer';
import { TRUNCATION, type ThoughtSpaceConfig } from './config';
import { inputNames, type TowerName } from './graph';

/** What the evaluation, the plots and the service need from a Thought Space (trained or loaded). */
export interface TextEncoders {
  /** E1: L2-normalised embeddings of rationale texts, in order. */
  encodeRationales(texts: readonly string[]): Promise<Float32Array[]>;
  /** E2: L2-normalised embeddings of behaviour texts, in order. */
  encodeBehaviours(texts: readonly string[]): Promise<Float32Array[]>;
}

export function towerLength(config: ThoughtSpaceConfig, tower: TowerName): number {
  return tower === 'rationale' ? config.rationaleTokens : config.behaviourTokens;
}

/** Serving feeds of one tower for `texts` (the tokenizer's truncation for that tower). */
export function towerFeeds(
  tokenizer: Tokenizer,
  config: ThoughtSpaceConfig,
  tower: TowerName,
  texts: readonly string[],
): Feeds {
  const L = towerLength(config, tower);
  const ids = new BigInt64Array(texts.length * L);
  const mask = new Float32Array(texts.length * L);
  texts.forEach((t, i) => {
    const e = tokenizer.encode(t, L, TRUNCATION[tower]);
    for (let j = 0; j < L; j++) ids[i * L + j] = BigInt(e.ids[j]);
    mask.set(e.mask, i * L);
  });
  const n = inputNames(tower);
  return {
    [n.tokens]: { dtype: 'int64', dims: [texts.length, L], data: ids },
    [n.mask]: { dtype: 'float32', dims: [texts.length, L], data: mask },
  };
}

/** Encode in batches through `run` (a trainer's forward or an exported model). */
export async function encodeTexts(
  tokenizer: Tokenizer,
  config: ThoughtSpaceConfig,
  tower: TowerName,
  texts: readonly string[],
  run: (feeds: Feeds) => Promise<TensorValue>,
  batch = 256,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let start = 0; start < texts.length; start += batch) {
    const chunk = texts.slice(start, start + batch);
    const value = await run(towerFeeds(tokenizer, config, tower, chunk));
    const data = value.data as Float32Array;
    const d = config.outputDim;
    for (let i = 0; i < chunk.length; i++) out.push(data.slice(i * d, (i + 1) * d));
  }
  return out;
}
