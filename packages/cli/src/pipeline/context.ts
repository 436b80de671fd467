import type { Dataset, EvalCase, Item } from '@thoughtspace/data';
import type { HistoryEvent } from './ports';

/** History events of a case with their side information (ratings, reviews) when the dataset has them. */
export function historyEvents(ds: Dataset, user: number, history: Int32Array): HistoryEvent[] {
  return Array.from(history, (item, j) => {
    const e: HistoryEvent = { item: ds.items[item] };
    const rating = ds.ratings?.[user]?.[j];
    if (rating !== undefined && !Number.isNaN(rating)) e.rating = rating;
    const review = ds.reviews?.[user]?.[j];
    if (review) e.review = review;
    return e;
  });
}

/**
 * Similar users by cosine of SASRec user states, and the items they had that
 * this user has not: the collaborative evidence for base reasons. `pool` are
 * the neighbours' histories as of the split (never a test item of theirs
 * when evaluating test, never a validation item when evaluating validation).
 */
export function similarUsersItems(o: {
  cases: EvalCase[];
  caseEmbeddings: Float32Array;
  poolEmbeddings: Float32Array;
  pool: Int32Array[];
  dim: number;
  neighbours: number;
  itemsPerNeighbour: number;
  items: Item[];
}): Item[][] {
  const { dim: d } = o;
  const nPool = o.pool.length;
  const poolNorm = new Float64Array(nPool);
  for (let u = 0; u < nPool; u++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += o.poolEmbeddings[u * d + j] ** 2;
    poolNorm[u] = Math.sqrt(s) || 1;
  }
  return o.cases.map((c, i) => {
    let qn = 0;
    for (let j = 0; j < d; j++) qn += o.caseEmbeddings[i * d + j] ** 2;
    qn = Math.sqrt(qn) || 1;
    const best: { u: number; s: number }[] = [];
    for (let u = 0; u < nPool; u++) {
      if (u === c.user) continue;
      let s = 0;
      for (let j = 0; j < d; j++) s += o.caseEmbeddings[i * d + j] * o.poolEmbeddings[u * d + j];
      s /= qn * poolNorm[u];
      if (best.length < o.neighbours || s > best[best.length - 1].s) {
        best.push({ u, s });
        best.sort((a, b) => b.s - a.s || a.u - b.u);
        if (best.length > o.neighbours) best.pop();
      }
    }
    const own = new Set(c.history);
    const picked: Item[] = [];
    const seen = new Set<number>();
    for (const { u } of best) {
      const seq = o.pool[u];
      let taken = 0;
      for (let j = seq.length - 1; j >= 0 && taken < o.itemsPerNeighbour; j--) {
        const item = seq[j];
        if (own.has(item) || seen.has(item)) continue;
        seen.add(item);
        picked.push(o.items[item]);
        taken++;
      }
    }
    return picked;
  });
}
