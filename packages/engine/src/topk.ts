// Batched top-k and rank-of-target over a fixed table (items or users): the
// queries x table products run as one onnxruntime MatMul per batch of
// queries, and a streaming pass keeps only k results per query, so memory is
// O(batch x rows + queries x k), never O(queries x rows). Results are exactly
// those of a sequential JavaScript loop (see internal/select.ts), ties broken
// by score descending, then index ascending.
import { createProgress, InvalidArgumentError } from '@thoughtspace/runtime';
import { Graph } from './internal/graph';
import { emitModel } from './internal/model';
import { exactDot, rankInRow, rowNorms, Selector, type ScoreRow } from './internal/select';
import { matmul } from './internal/ops';
import { ModelRunner, type ExecutionProvider, type TensorValue } from './runner';

export type TopKMetric = 'dot' | 'cosine';

export interface TopKOptions {
  /** Row-major [rows, dim] table the queries are matched against (item or user embeddings). */
  table: Float32Array;
  dim: number;
  /** 'dot' (default): q . t; 'cosine': q . t / (|q| |t|), a zero vector's norm taken as 1. */
  metric?: TopKMetric;
  /** Queries per onnxruntime run (default: as many as fit 32 MiB of scores, at least 16). */
  batchSize?: number;
  threads?: number;
  executionProvider?: ExecutionProvider;
}

/** Items to leave out for query q (e.g. the user's history, or the user itself). */
export type Exclusions = ArrayLike<ArrayLike<number>> | ((query: number) => ArrayLike<number>);

export interface ProgressFlags {
  /** Progress label (default "top-k"); progress goes to stderr every few seconds. */
  label?: string;
  silent?: boolean;
}

export interface TopKRequest extends ProgressFlags {
  /** Row-major [n, dim] queries. */
  queries: Float32Array;
  k: number;
  exclude?: Exclusions;
}

export interface TopKResult {
  k: number;
  /** [n, k] table rows, best first; -1 past `counts[q]`. */
  indices: Int32Array;
  /** [n, k] exact scores (the sequential float64 formula); NaN past `counts[q]`. */
  scores: Float64Array;
  /** Results per query: k, or fewer when fewer rows are eligible. */
  counts: Int32Array;
}

export interface RankRequest extends ProgressFlags {
  queries: Float32Array;
  /** One table row per query whose rank is wanted. */
  targets: ArrayLike<number>;
  /** Rows that are not candidates for query q (the target is always one). */
  exclude?: Exclusions;
}

export interface TopK {
  readonly rows: number;
  readonly dim: number;
  readonly metric: TopKMetric;
  /** The k best rows per query by (score desc, index asc). */
  search(request: TopKRequest): Promise<TopKResult>;
  /** 1-based rank of each query's target among its non-excluded rows, ties counted against the target. */
  rank(request: RankRequest): Promise<Int32Array>;
  dispose(): Promise<void>;
}

const SCORE_BUDGET = 8 << 20; // float32 scores per batch (32 MiB)

/** Relative error of one float32 dot product of length d on this provider (CUDA may use TF32). */
function unitBound(d: number, ep: ExecutionProvider): number {
  return (d + 4) * (ep === 'cuda' ? 2 ** -10 : 2 ** -23);
}

export async function createTopK(options: TopKOptions): Promise<TopK> {
  const { table, dim: d } = options;
  const metric = options.metric ?? 'dot';
  if (!Number.isInteger(d) || d < 1)
    throw new InvalidArgumentError(`dim: must be a positive integer, got ${d}`);
  if (!(table instanceof Float32Array) || table.length === 0 || table.length % d !== 0)
    throw new InvalidArgumentError(
      `table: expected a non-empty Float32Array of rows x ${d} values, got ${table?.length} values`,
    );
  if (metric !== 'dot' && metric !== 'cosine')
    throw new InvalidArgumentError(`metric: expected dot or cosine, got ${String(metric)}`);
  const rows = table.length / d;
  const batchSize = options.batchSize ?? Math.max(16, Math.floor(SCORE_BUDGET / rows));
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new InvalidArgumentError(`batchSize: must be a positive integer, got ${batchSize}`);

  const g = new Graph();
  const q = g.input('queries', ['batch', d]);
  const transposed = new Float32Array(d * rows);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < d; j++) transposed[j * rows + r] = table[r * d + j];
  const t = g.constant(transposed, [d, rows]);
  const model = emitModel({ outputs: { scores: matmul(q, t) }, mode: 'infer', graphName: 'topk' });
  const ep = options.executionProvider ?? 'cpu';
  const runner = await ModelRunner.create({
    model: model.bytes,
    threads: options.threads,
    executionProvider: ep,
  });

  const norms = rowNorms(table, d);
  let maxNorm = 0;
  for (let r = 0; r < rows; r++) maxNorm = Math.max(maxNorm, norms[r]);
  const colScale = new Float64Array(rows).fill(1);
  if (metric === 'cosine') for (let r = 0; r < rows; r++) colScale[r] = 1 / norms[r];
  const unit = unitBound(d, ep);
  // Marked and cleared within one synchronous step per query, so concurrent
  // requests (they interleave only at awaits) never see each other's marks.
  const excluded = new Uint8Array(rows);

  const checkQueries = (queries: Float32Array, field = 'queries'): number => {
    if (!(queries instanceof Float32Array) || queries.length % d !== 0)
      throw new InvalidArgumentError(
        `${field}: expected a Float32Array of n x ${d} values, got ${queries?.length} values`,
      );
    return queries.length / d;
  };
  const exclusionsOf = (exclude: Exclusions | undefined, n: number) => {
    if (exclude === undefined) return () => [] as ArrayLike<number>;
    if (typeof exclude === 'function') return exclude;
    if (exclude.length !== n)
      throw new InvalidArgumentError(`exclude: ${exclude.length} lists for ${n} queries`);
    return (i: number) => exclude[i];
  };
  const mark = (list: ArrayLike<number>, value: 0 | 1, qi: number): void => {
    for (let j = 0; j < list.length; j++) {
      const r = list[j];
      if (!Number.isInteger(r) || r < 0 || r >= rows)
        throw new InvalidArgumentError(
          `exclude[${qi}][${j}]: ${r} is outside the table's ${rows} rows`,
        );
      excluded[r] = value;
    }
  };

  /** Runs every batch of queries and hands each row of scores to `visit`. */
  const sweep = async (
    queries: Float32Array,
    n: number,
    flags: ProgressFlags,
    visit: (qi: number, row: ScoreRow) => void,
  ): Promise<void> => {
    const progress = createProgress({
      label: flags.label ?? 'top-k',
      total: n,
      unit: 'queries',
      silent: flags.silent,
    });
    // One buffer per request: concurrent requests must not share outputs.
    const scoreBuffer = new Float32Array(Math.min(batchSize, n) * rows);
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      const into: TensorValue = {
        dtype: 'float32',
        dims: [m, rows],
        data: m * rows === scoreBuffer.length ? scoreBuffer : scoreBuffer.subarray(0, m * rows),
      };
      const feed: TensorValue = {
        dtype: 'float32',
        dims: [m, d],
        data: queries.subarray(start * d, (start + m) * d),
      };
      const out = await runner.run({ queries: feed }, { into: { scores: into } });
      const data = out.scores.data as Float32Array;
      for (let b = 0; b < m; b++) {
        const qi = start + b;
        let qq = 0;
        for (let j = 0; j < d; j++) qq += queries[qi * d + j] ** 2;
        const qNorm = Math.sqrt(qq);
        const qn = qNorm || 1;
        const exact =
          metric === 'dot'
            ? (i: number) => exactDot(queries, qi * d, table, i * d, d)
            : (i: number) => exactDot(queries, qi * d, table, i * d, d) / (qn * norms[i]);
        visit(qi, {
          data,
          offset: b * rows,
          n: rows,
          rowScale: metric === 'dot' ? 1 : 1 / qn,
          colScale,
          exact,
          bound: metric === 'dot' ? unit * qNorm * maxNorm + 1e-300 : unit + 1e-12,
        });
      }
      progress.tick(m);
    }
    progress.done();
  };

  return {
    rows,
    dim: d,
    metric,
    async search(request) {
      const n = checkQueries(request.queries);
      const { k } = request;
      if (!Number.isInteger(k) || k < 1)
        throw new InvalidArgumentError(`k: must be a positive integer, got ${k}`);
      const exclude = exclusionsOf(request.exclude, n);
      const kk = Math.min(k, rows);
      const result: TopKResult = {
        k,
        indices: new Int32Array(n * k).fill(-1),
        scores: new Float64Array(n * k).fill(NaN),
        counts: new Int32Array(n),
      };
      const selector = new Selector(kk);
      await sweep(request.queries, n, request, (qi, row) => {
        const list = exclude(qi);
        mark(list, 1, qi);
        try {
          result.counts[qi] = selector.select(row, excluded, result.indices, result.scores, qi * k);
        } finally {
          mark(list, 0, qi);
        }
      });
      return result;
    },
    async rank(request) {
      const n = checkQueries(request.queries);
      if (request.targets.length !== n)
        throw new InvalidArgumentError(
          `targets: ${request.targets.length} targets for ${n} queries`,
        );
      for (let i = 0; i < n; i++) {
        const tg = request.targets[i];
        if (!Number.isInteger(tg) || tg < 0 || tg >= rows)
          throw new InvalidArgumentError(
            `targets[${i}]: ${tg} is outside the table's ${rows} rows`,
          );
      }
      const exclude = exclusionsOf(request.exclude, n);
      const ranks = new Int32Array(n);
      await sweep(request.queries, n, request, (qi, row) => {
        const list = exclude(qi);
        mark(list, 1, qi);
        try {
          ranks[qi] = rankInRow(row, request.targets[qi], excluded);
        } finally {
          mark(list, 0, qi);
        }
      });
      return ranks;
    },
    dispose: () => runner.dispose(),
  };
}
