import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import type { Dataset, EvaluationSet } from '@thoughtspace/data';

/**
 * Where the main job writes the served method's test predictions, relative
 * to its output folder: the file `thoughtspace eval --predictions` and the
 * evaluator's Compare (the agent's promotion test) read.
 */
export const PREDICTIONS_FILE = 'evaluation/predictions.jsonl';

/**
 * One JSON line per test case, in the format `thoughtspace eval` reads:
 * {"user", "candidates", "scores", "target", "method"} with the dataset's
 * own user and item ids. Scores are the scorer's logits as computed, so
 * evaluating the file reproduces the method's row exactly.
 */
export async function writePredictions(o: {
  file: string;
  set: EvaluationSet;
  dataset: Dataset;
  logits: readonly Float32Array[];
  method: string;
}): Promise<void> {
  if (o.logits.length !== o.set.cases.length) {
    throw new Error(
      `writePredictions: ${o.logits.length} score rows for ${o.set.cases.length} cases`,
    );
  }
  await mkdir(dirname(o.file), { recursive: true });
  const out = createWriteStream(o.file);
  const { userIds, itemIds } = o.dataset;
  for (const [i, c] of o.set.cases.entries()) {
    const { items, targetIndex } = o.set.candidates[i];
    const line = JSON.stringify({
      user: userIds[c.user],
      candidates: Array.from(items, (j) => itemIds[j]),
      scores: Array.from(o.logits[i]),
      target: itemIds[items[targetIndex]],
      method: o.method,
    });
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
