import { createRng, InvalidArgumentError } from '@thoughtspace/runtime';

/** `sampled:N` = the target plus N sampled negatives; `full` = the target plus every item the user never touched. */
export type Protocol = { kind: 'sampled'; negatives: number } | { kind: 'full' };

export const DEFAULT_PROTOCOL = 'sampled:9';

export function parseProtocol(text: string): Protocol {
  if (text === 'full') return { kind: 'full' };
  const m = /^sampled:(\d+)$/.exec(text);
  if (m) {
    const negatives = Number(m[1]);
    if (negatives >= 1) return { kind: 'sampled', negatives };
  }
  throw new InvalidArgumentError(
    `protocol must be "sampled:N" (N >= 1, e.g. sampled:9, sampled:100) or "full", got "${text}"`,
  );
}

export function formatProtocol(p: Protocol): string {
  return p.kind === 'full' ? 'full' : `sampled:${p.negatives}`;
}

export interface SampleRequest {
  /** Hash of the dataset manifest: different data, different draws. */
  datasetHash: string;
  /** Original user id (stable across re-indexing). */
  userId: string;
  split: string;
  seed: number;
  /** Ground-truth item index. */
  target: number;
  /** Every item index the user ever interacted with (whole sequence, test item included). */
  touched: ArrayLike<number>;
  numItems: number;
  protocol: Protocol;
}

export interface CandidateSet {
  /** Item indices in a seeded random order. */
  items: Int32Array;
  /** Position of the ground truth in `items`. */
  targetIndex: number;
}

/**
 * Candidates for one evaluation case. Negatives are drawn uniformly without
 * replacement from items the user never interacted with; the draw depends only
 * on (dataset hash, user, split, seed), so every method sees the same sets.
 */
export function sampleCandidates(req: SampleRequest): CandidateSet {
  const rng = createRng(`candidates|${req.datasetHash}|${req.userId}|${req.split}|${req.seed}`);
  const touched = new Set<number>(Array.from(req.touched));
  touched.add(req.target);
  const available = req.numItems - touched.size;
  let chosen: number[];
  if (req.protocol.kind === 'full') {
    chosen = [];
    for (let i = 0; i < req.numItems; i++) if (!touched.has(i)) chosen.push(i);
  } else {
    const n = req.protocol.negatives;
    if (n > available) {
      throw new InvalidArgumentError(
        `user ${req.userId}: ${n} negatives requested but only ${available} items were never touched by this user`,
      );
    }
    chosen = [];
    const picked = new Set<number>();
    while (chosen.length < n) {
      const i = rng.int(req.numItems);
      if (touched.has(i) || picked.has(i)) continue;
      picked.add(i);
      chosen.push(i);
    }
  }
  const items = new Int32Array(chosen.length + 1);
  items[0] = req.target;
  items.set(chosen, 1);
  // Full ranking keeps the target first (metrics count ties against it, so
  // position carries no information); sampled sets are shuffled anyway.
  if (req.protocol.kind === 'full') return { items, targetIndex: 0 };
  // Fisher-Yates so the ground truth's position carries no information.
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return { items, targetIndex: items.indexOf(req.target) };
}
