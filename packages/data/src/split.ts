import type { Dataset } from './dataset';

export type SplitName = 'valid' | 'test';

/** One evaluation case: a user's history (chronological item indices) and the next item. */
export interface EvalCase {
  user: number;
  history: Int32Array;
  target: number;
}

/**
 * Leave-one-out split. For a user with n >= 3 interactions: the last is the test
 * target, the second last the validation target, the rest is training. At test
 * time the history is everything before the test target (the validation item
 * included), as in the SASRec protocol. Users with fewer than 3 interactions
 * get no evaluation case; all their events are training data (counted in
 * `trainOnlyUsers`).
 */
export interface LeaveOneOut {
  /** Per user (aligned with dataset.userIds), the training prefix; a view into the sequence. */
  train: Int32Array[];
  valid: EvalCase[];
  test: EvalCase[];
  trainOnlyUsers: number;
}

export const MIN_EVAL_LENGTH = 3;

export function leaveOneOut(ds: Dataset): LeaveOneOut {
  const train: Int32Array[] = [];
  const valid: EvalCase[] = [];
  const test: EvalCase[] = [];
  let trainOnlyUsers = 0;
  ds.sequences.forEach((seq, user) => {
    const n = seq.length;
    if (n < MIN_EVAL_LENGTH) {
      train.push(seq);
      trainOnlyUsers++;
      return;
    }
    train.push(seq.subarray(0, n - 2));
    valid.push({ user, history: seq.subarray(0, n - 2), target: seq[n - 2] });
    test.push({ user, history: seq.subarray(0, n - 1), target: seq[n - 1] });
  });
  return { train, valid, test, trainOnlyUsers };
}

/**
 * The item sequences a model may learn from when it is evaluated on `split`:
 * training prefixes for validation; training prefixes plus validation targets
 * for test. Never a test target.
 */
export function sequencesBefore(split: LeaveOneOut, which: SplitName): Int32Array[] {
  if (which === 'valid') return split.train;
  const byUser = new Map<number, Int32Array>();
  for (const c of split.test) byUser.set(c.user, c.history);
  return split.train.map((seq, user) => byUser.get(user) ?? seq);
}
