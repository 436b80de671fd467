/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { createTopK, type TopK } from './topk';

// Real 50-d embeddings with the near-ties real vectors have: GloVe 6B, the
// 10,000 most frequent words (../shared/models). Rows play users and items.
const GLOVE = join(__dirname, '../../../../shared/models/glove-6B-50d-10k/glove.6B.50d.10k.zip');
const D = 50;

function loadGlove(): Float32Array {
  const text = execFileSync('unzip', ['-p', GLOVE], { maxBuffer: 64 << 20 }).toString('utf8');
  const lines = text.split('\n').filter((l) => l.length > 0);
  const out = new Float32Array(lines.length * D);
  lines.forEach((line, r) => {
    const parts = line.split(' ');
    for (let j = 0; j < D; j++) out[r * D + j] = Number(parts[j + 1]);
  });
  return out;
}

/** The similar-users loop of packages/cli/src/pipeline/context.ts (cosine, skip self, score desc, index asc). */
function referenceNeighbours(queries: Float32Array, pool: Float32Array, self: number[], k: number) {
  const nPool = pool.length / D;
  const poolNorm = new Float64Array(nPool);
  for (let u = 0; u < nPool; u++) {
    let s = 0;
    for (let j = 0; j < D; j++) s += pool[u * D + j] ** 2;
    poolNorm[u] = Math.sqrt(s) || 1;
  }
  return self.map((user, i) => {
    let qn = 0;
    for (let j = 0; j < D; j++) qn += queries[i * D + j] ** 2;
    qn = Math.sqrt(qn) || 1;
    const best: { u: number; s: number }[] = [];
    for (let u = 0; u < nPool; u++) {
      if (u === user) continue;
      let s = 0;
      for (let j = 0; j < D; j++) s += queries[i * D + j] * pool[u * D + j];
      s /= qn * poolNorm[u];
      if (best.length < k || s > best[best.length - 1].s) {
        best.push({ u, s });
        best.sort((a, b) => b.s - a.s || a.u - b.u);
        if (best.length > k) best.pop();
      }
    }
    return best;
  });
}

/** Dot-product scores of every row, as candidate-gen's JS loops compute them. */
function referenceScores(q: Float32Array, qi: number, table: Float32Array): Float64Array {
  const n = table.length / D;
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < D; j++) s += q[qi * D + j] * table[r * D + j];
    out[r] = s;
  }
  return out;
}

describe('createTopK on GloVe 50-d vectors (10,000 rows)', () => {
  let glove: Float32Array;
  let rows: number;
  beforeAll(() => {
    glove = loadGlove();
    rows = glove.length / D;
    expect(rows).toBe(10000);
  });

  test('cosine neighbours excluding self equal the similar-users JS loop, row for row', async () => {
    // Duplicate some rows so exact ties exist and index order must break them.
    const table = glove.slice();
    for (let r = 0; r < 50; r++) table.copyWithin((9000 + r) * D, r * D, (r + 1) * D);
    const users = Array.from({ length: 1500 }, (_, i) => i * 6);
    const queries = new Float32Array(users.length * D);
    users.forEach((u, i) => queries.set(table.subarray(u * D, (u + 1) * D), i * D));
    const topk = await createTopK({ table, dim: D, metric: 'cosine', batchSize: 200 });
    try {
      const got = await topk.search({
        queries,
        k: 10,
        exclude: (i) => [users[i]],
        silent: true,
      });
      const want = referenceNeighbours(queries, table, users, 10);
      let tiedPairs = 0;
      want.forEach((best, i) => {
        expect(got.counts[i]).toBe(10);
        expect(Array.from(got.indices.subarray(i * 10, i * 10 + 10))).toEqual(best.map((b) => b.u));
        expect(Array.from(got.scores.subarray(i * 10, i * 10 + 10))).toEqual(best.map((b) => b.s));
        for (let j = 1; j < best.length; j++) if (best[j].s === best[j - 1].s) tiedPairs++;
      });
      // The duplicated rows produce exact ties the result had to order by index.
      expect(tiedPairs).toBeGreaterThan(0);
    } finally {
      await topk.dispose();
    }
  });

  test('dot top-k with per-query exclusions equals a full sort of the JS scores', async () => {
    const topk = await createTopK({ table: glove, dim: D, batchSize: 64 });
    try {
      const n = 300;
      const queries = glove.slice(5000 * D, (5000 + n) * D);
      const exclude = Array.from({ length: n }, (_, i) => [i, i + 1, 5000 + i, 9999]);
      const got = await topk.search({ queries, k: 25, exclude, silent: true });
      for (let i = 0; i < n; i++) {
        const s = referenceScores(queries, i, glove);
        const skip = new Set(exclude[i]);
        const order = Array.from(s.keys())
          .filter((r) => !skip.has(r))
          .sort((a, b) => s[b] - s[a] || a - b)
          .slice(0, 25);
        expect(Array.from(got.indices.subarray(i * 25, (i + 1) * 25))).toEqual(order);
      }
    } finally {
      await topk.dispose();
    }
  });

  test('rank of a target counts ties against it and skips excluded rows, as rankOfTarget does', async () => {
    // Quantised scores make many exact ties with the target.
    const table = Float32Array.from(glove, (x) => Math.round(x * 4) / 4);
    const topk = await createTopK({ table, dim: D, batchSize: 128 });
    try {
      const n = 400;
      const queries = table.slice(0, n * D);
      const targets = Array.from({ length: n }, (_, i) => (i * 37) % rows);
      const exclude = Array.from({ length: n }, (_, i) => [i, (i * 11) % rows]);
      const got = await topk.rank({ queries, targets, exclude, silent: true });
      let ties = 0;
      for (let i = 0; i < n; i++) {
        const s = referenceScores(queries, i, table);
        const skip = new Set(exclude[i]);
        let above = 0;
        for (let r = 0; r < rows; r++) {
          if (r === targets[i] || skip.has(r)) continue;
          if (s[r] >= s[targets[i]]) above++;
          if (s[r] === s[targets[i]]) ties++;
        }
        expect(got[i]).toBe(above + 1);
      }
      expect(ties).toBeGreaterThan(0);
    } finally {
      await topk.dispose();
    }
  });

  test('near-ties below float32 resolution come out in the exact order', async () => {
    // Each row next to a copy nudged by one float32 ulp in one component: the
    // exact scores differ far below float32 MatMul's rounding error.
    const base = 1000;
    const table = new Float32Array(2 * base * D);
    const bits = new Int32Array(table.buffer);
    for (let r = 0; r < base; r++) {
      table.set(glove.subarray(r * D, (r + 1) * D), 2 * r * D);
      table.set(glove.subarray(r * D, (r + 1) * D), (2 * r + 1) * D);
      bits[(2 * r + 1) * D + (r % D)] += 1;
    }
    const n = 200;
    const queries = glove.slice(3000 * D, (3000 + n) * D);
    const topk = await createTopK({ table, dim: D });
    try {
      const got = await topk.search({ queries, k: 40, silent: true });
      const ranks = await topk.rank({
        queries,
        targets: Array.from({ length: n }, (_, i) => got.indices[i * 40 + 1]),
        silent: true,
      });
      let disagreements = 0;
      for (let i = 0; i < n; i++) {
        const s = referenceScores(queries, i, table);
        const order = Array.from(s.keys())
          .sort((a, b) => s[b] - s[a] || a - b)
          .slice(0, 40);
        expect(Array.from(got.indices.subarray(i * 40, (i + 1) * 40))).toEqual(order);
        expect(ranks[i]).toBe(2);
        // How often would onnxruntime's own float32 scores have ordered a pair differently?
        const q = queries.subarray(i * D, (i + 1) * D);
        for (const r of order) {
          const twin = r % 2 === 0 ? r + 1 : r - 1;
          let a = 0;
          let b = 0;
          for (let j = 0; j < D; j++) {
            a = Math.fround(a + Math.fround(q[j] * table[r * D + j]));
            b = Math.fround(b + Math.fround(q[j] * table[twin * D + j]));
          }
          if (Math.sign(a - b) !== Math.sign(s[r] - s[twin])) disagreements++;
        }
      }
      // The case is hard: float32 arithmetic alone would have got many pairs wrong.
      expect(disagreements).toBeGreaterThan(n);
    } finally {
      await topk.dispose();
    }
  });

  test('more exact ties at the k-th place than TopK returned: the lowest indices win', async () => {
    // 120 copies of row 0 tie exactly; onnxruntime's TopK list is shorter than that.
    const table = glove.slice(0, 1000 * D);
    for (let r = 500; r < 620; r++) table.copyWithin(r * D, 0, D);
    for (const metric of ['dot', 'cosine'] as const) {
      const topk = await createTopK({ table, dim: D, metric });
      try {
        const got = await topk.search({
          queries: glove.slice(0, D),
          k: 10,
          exclude: [[0]],
          silent: true,
        });
        expect(Array.from(got.indices)).toEqual([500, 501, 502, 503, 504, 505, 506, 507, 508, 509]);
        const ranks = await topk.rank({
          queries: glove.slice(0, 2 * D),
          targets: [600, 1],
          exclude: [[0, 0, 0], []],
          silent: true,
        });
        // 119 other copies tie with the target and count against it.
        expect(ranks[0]).toBe(120);
      } finally {
        await topk.dispose();
      }
    }
  });

  test('fewer eligible rows than k: counts say how many, the rest is padding', async () => {
    const table = glove.slice(0, 5 * D);
    const topk = await createTopK({ table, dim: D });
    try {
      const got = await topk.search({
        queries: glove.slice(0, D),
        k: 4,
        exclude: [[0, 1, 2]],
        silent: true,
      });
      expect(got.counts[0]).toBe(2);
      expect(Array.from(got.indices)).toEqual(expect.arrayContaining([3, 4, -1, -1]));
      expect(got.indices[2]).toBe(-1);
      expect(Number.isNaN(got.scores[3])).toBe(true);
    } finally {
      await topk.dispose();
    }
  });

  describe('bad input names the field', () => {
    let topk: TopK;
    beforeAll(async () => {
      topk = await createTopK({ table: glove.slice(0, 10 * D), dim: D });
    });
    afterAll(() => topk.dispose());

    test('table, dim and metric', async () => {
      await expect(createTopK({ table: new Float32Array(7), dim: D })).rejects.toThrow(/table:/);
      await expect(createTopK({ table: glove, dim: 0 })).rejects.toThrow(/dim:/);
      await expect(createTopK({ table: glove, dim: D, metric: 'l2' as 'dot' })).rejects.toThrow(
        /metric: expected dot or cosine, got l2/,
      );
    });

    test('queries, k, exclude and targets', async () => {
      const q = glove.slice(0, D);
      await expect(topk.search({ queries: new Float32Array(3), k: 1 })).rejects.toThrow(
        InvalidArgumentError,
      );
      await expect(topk.search({ queries: q, k: 0 })).rejects.toThrow(/k: must be/);
      await expect(
        topk.search({ queries: q, k: 1, exclude: [[10]], silent: true }),
      ).rejects.toThrow(/exclude\[0\]\[0\]: 10 is outside the table's 10 rows/);
      await expect(topk.search({ queries: q, k: 1, exclude: [], silent: true })).rejects.toThrow(
        /exclude: 0 lists for 1 queries/,
      );
      await expect(topk.rank({ queries: q, targets: [11], silent: true })).rejects.toThrow(
        /targets\[0\]: 11 is outside/,
      );
    });

    test('non-finite embeddings are rejected naming the row', async () => {
      const q = glove.slice(0, 2 * D);
      q[D + 3] = NaN;
      await expect(topk.search({ queries: q, k: 2, silent: true })).rejects.toThrow(
        /queries\[1\]: component 3 is NaN/,
      );
      await expect(topk.rank({ queries: q, targets: [0, 1], silent: true })).rejects.toThrow(
        /queries\[1\]/,
      );
      const t = glove.slice(0, 3 * D);
      t[2 * D] = Infinity;
      await expect(createTopK({ table: t, dim: D })).rejects.toThrow(
        /table\[2\]: component 0 is Infinity/,
      );
    });
  });
});
