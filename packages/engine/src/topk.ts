// Batched top-k and rank-of-target over a fixed table (items or users): the
// queries x table products run as one float32 onnxruntime MatMul per batch
// of queries, followed in the same graph by TopK for search, so JavaScript
// sees O(k) rows per query, and for rank by a count (rows scoring above the
// target's decision band) and the few rows inside that band, so JavaScript
// never reads a row of scores. Rows whose approximate
// score falls within float32's rounding bound of a decision are rescored
// with the sequential JavaScript formula (see internal/select.ts; a query
// whose ties straddle the end of TopK's list gets a 4x longer list from the
// engine, until it decides or holds every row): results
// are exactly those of the JavaScript loops, ties broken by score
// descending, then index ascending. Memory is O(batch x rows + queries x k),
// never O(queries x rows).
import { createProgress, InvalidArgumentError } from '@thoughtspace/runtime';
import { Graph, type Tensor } from './internal/graph';
import { emitModel } from './internal/model';
import { exactDot, rankBand, rankFromBand, rowNorms, selectTopK } from './internal/select';
import {
  and,
  cast,
  greater,
  greaterOrEqual,
  matmul,
  nonZero,
  not,
  reduceSum,
  topKIndices,
} from './internal/ops';
import { ModelRunner, type ExecutionProvider, type TensorValue } from './runner';

export type TopKMetric = 'dot' | 'cosine';

export interface TopKOptions {
  /** Row-major [rows, dim] table the queries are matched against (item or user embeddings). */
  table: Float32Array;
  dim: number;
  /** 'dot' (default): q . t; 'cosine': q . t / (|q| |t|), a zero vector's norm taken as 1. */
  metric?: TopKMetric;
  /** Queries per onnxruntime run (default: as many as fit 4 MiB of float32 scores, at least 16). */
  batchSize?: number;
  threads?: number;
  /**
   * Let idle onnxruntime threads spin (default false: each run is a few
   * large ops, and on a shared machine a spinning thread takes the core the
   * working one needs; bench/topk-rank.ts measures both).
   */
  spinning?: boolean;
  executionProvider?: ExecutionProvider;
  /** Names its model runs in traces (`<name>-search` / `<name>-rank`; default "topk"). */
  name?: string;
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

// float32 scores per batch (4 MiB): TopK and rank's comparisons re-read the
// MatMul's output, so it should stay in cache (docs/engine.md).
const SCORE_BUDGET = 1 << 20;
/** Rank counts rows in float32, exact up to 2^24. */
const MAX_RANK_ROWS = 2 ** 24;
/** Extra TopK entries beyond k + exclusions, so near-ties at the k-th place rarely force a scan. */
const SLACK = 16;

function finiteOrThrow(values: Float32Array, d: number, field: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]))
      throw new InvalidArgumentError(
        `${field}[${Math.floor(i / d)}]: component ${i % d} is ${values[i]}; embeddings must be finite`,
      );
  }
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
  finiteOrThrow(table, d, 'table');
  const rows = table.length / d;
  if (
    options.batchSize !== undefined &&
    (!Number.isInteger(options.batchSize) || options.batchSize < 1)
  )
    throw new InvalidArgumentError(
      `batchSize: must be a positive integer, got ${options.batchSize}`,
    );
  // Search and rank alike: as many queries as fit the score budget.
  const batch = options.batchSize ?? Math.max(16, Math.floor(SCORE_BUDGET / rows));
  const ep = options.executionProvider ?? 'cpu';
  const norms = rowNorms(table, d);
  let maxNorm = 0;
  for (let r = 0; r < rows; r++) maxNorm = Math.max(maxNorm, norms[r]);
  // A float32 dot product of length d is within (d + 4) 2^-23 sum|q_j t_j| <= (d + 4) 2^-23 |q| |t|
  // of the exact one in any summation order; cosine adds the rounding of the normalised table.
  const unit = (d + 4) * 2 ** -23;
  const boundFor = (qNorm: number) => (metric === 'dot' ? unit * qNorm * maxNorm : unit + 2 ** -22);

  // The served table: as is for dot, rows scaled to unit length for cosine
  // (a query's own norm does not change its order), transposed for MatMul.
  const transposed = new Float32Array(d * rows);
  for (let r = 0; r < rows; r++) {
    const scale = metric === 'cosine' ? 1 / norms[r] : 1;
    for (let j = 0; j < d; j++) transposed[j * rows + r] = table[r * d + j] * scale;
  }
  const session = async (
    kind: 'search' | 'rank',
    build: (g: Graph, scores: Tensor) => Record<string, Tensor>,
  ) => {
    const g = new Graph();
    const scores = matmul(g.input('queries', ['batch', d]), g.constant(transposed, [d, rows]));
    const model = emitModel({ outputs: build(g, scores), mode: 'infer', graphName: 'topk' });
    return ModelRunner.create({
      model: model.bytes,
      name: `${options.name ?? 'topk'}-${kind}`,
      threads: options.threads,
      executionProvider: ep,
      spinning: options.spinning ?? false,
    });
  };
  let searchRunner: Promise<ModelRunner> | undefined;
  let rankRunner: Promise<ModelRunner> | undefined;
  const searchSession = () =>
    (searchRunner ??= session('search', (g, scores) => ({
      top: topKIndices(scores, g.input('k', [1], 'int64')),
    })));
  // Rank in the graph: onnxruntime compares the batch's scores with each
  // query's band while they are in cache, on its own threads, and returns a
  // count and the band's few (query, row) pairs instead of [batch, rows]
  // scores (copying those out cost more than the MatMul; docs/engine.md).
  const rankSession = () =>
    (rankRunner ??= session('rank', (g, scores) => {
      const above = greater(scores, g.input('hi', ['batch', 1]));
      const atLeast = greaterOrEqual(scores, g.input('lo', ['batch', 1]));
      return {
        above: reduceSum(cast(above, 'float32'), [1]),
        band: cast(nonZero(and(atLeast, not(above))), 'int32'),
      };
    }));

  // Marked and cleared within one synchronous step per query, so concurrent
  // requests (they interleave only at awaits) never see each other's marks.
  const excluded = new Uint8Array(rows);
  const unique: number[] = [];
  const clear = (): void => {
    for (const r of unique) excluded[r] = 0;
    unique.length = 0;
  };
  const mark = (list: ArrayLike<number>, qi: number): void => {
    unique.length = 0;
    for (let j = 0; j < list.length; j++) {
      const r = list[j];
      if (!Number.isInteger(r) || r < 0 || r >= rows) {
        clear();
        throw new InvalidArgumentError(
          `exclude[${qi}][${j}]: ${r} is outside the table's ${rows} rows`,
        );
      }
      if (!excluded[r]) {
        excluded[r] = 1;
        unique.push(r);
      }
    }
  };

  const checkQueries = (queries: Float32Array): number => {
    if (!(queries instanceof Float32Array) || queries.length % d !== 0)
      throw new InvalidArgumentError(
        `queries: expected a Float32Array of n x ${d} values, got ${queries?.length} values`,
      );
    finiteOrThrow(queries, d, 'queries');
    return queries.length / d;
  };
  const exclusionsOf = (exclude: Exclusions | undefined, n: number) => {
    if (exclude === undefined) return () => [] as ArrayLike<number>;
    if (typeof exclude === 'function') return exclude;
    if (exclude.length !== n)
      throw new InvalidArgumentError(`exclude: ${exclude.length} lists for ${n} queries`);
    return (i: number) => exclude[i];
  };
  const queryNorm = (queries: Float32Array, qi: number): number => {
    let s = 0;
    for (let j = 0; j < d; j++) s += queries[qi * d + j] ** 2;
    return Math.sqrt(s);
  };
  const exactFor = (queries: Float32Array, qi: number) => {
    if (metric === 'dot') return (i: number) => exactDot(queries, qi * d, table, i * d, d);
    const qn = queryNorm(queries, qi) || 1;
    return (i: number) => exactDot(queries, qi * d, table, i * d, d) / (qn * norms[i]);
  };

  /** Runs the queries `batch` at a time, with progress; `visit` sees each batch's outputs. */
  const sweep = async (
    runner: ModelRunner,
    queries: Float32Array,
    n: number,
    batch: number,
    flags: ProgressFlags,
    extra: (start: number, m: number) => Record<string, TensorValue>,
    visit: (start: number, m: number, out: Record<string, TensorValue>) => void,
  ): Promise<void> => {
    const progress = createProgress({
      label: flags.label ?? 'top-k',
      total: n,
      unit: 'queries',
      silent: flags.silent,
    });
    for (let start = 0; start < n; start += batch) {
      const m = Math.min(batch, n - start);
      const feeds: Record<string, TensorValue> = {
        queries: {
          dtype: 'float32',
          dims: [m, d],
          data: queries.subarray(start * d, (start + m) * d),
        },
        ...extra(start, m),
      };
      visit(start, m, await runner.run(feeds));
      progress.tick(m);
    }
    progress.done();
  };

  return {
    rows,
    dim: d,
    metric,
    async search(request) {
      const { queries, k } = request;
      const n = checkQueries(queries);
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
      const widthOf = (qi: number) => Math.min(rows, kk + exclude(qi).length + SLACK);
      const kFeed = (w: number): Record<string, TensorValue> => ({
        k: { dtype: 'int64', dims: [1], data: BigInt64Array.from([BigInt(w)]) },
      });
      /** Selects query qi from its TopK list; false when the list was too short to decide. */
      const select = (qi: number, list: Int32Array): boolean => {
        mark(exclude(qi), qi);
        try {
          const got = selectTopK(
            list,
            rows,
            kk,
            exactFor(queries, qi),
            boundFor(queryNorm(queries, qi)),
            excluded,
            result.indices,
            result.scores,
            qi * k,
            false,
          );
          if (got < 0) return false;
          result.counts[qi] = got;
          return true;
        } finally {
          clear();
        }
      };
      // Queries whose exact ties or near-ties straddle the list's end. Scanning
      // every row in JavaScript for each of them grew as users x pool when many
      // users tie (identical histories); they get a 4x longer list from the
      // engine instead, until it decides or holds every row.
      let undecided: { qi: number; width: number }[] = [];
      /** Selects each query of a swept batch from its `w`-long TopK list; the undecided wait for a longer one. */
      const decide = (
        out: Record<string, TensorValue>,
        m: number,
        w: number,
        qiOf: (b: number) => number,
      ) => {
        const top = out.top.data as BigInt64Array;
        const list = new Int32Array(w);
        for (let b = 0; b < m; b++) {
          const qi = qiOf(b);
          for (let j = 0; j < w; j++) list[j] = Number(top[b * w + j]);
          // A list of every row always decides (selectTopK sorts it exactly).
          if (!select(qi, list)) undecided.push({ qi, width: w });
        }
      };
      let width = 0;
      await sweep(
        await searchSession(),
        queries,
        n,
        batch,
        request,
        (start, m) => {
          width = 0;
          for (let qi = start; qi < start + m; qi++) width = Math.max(width, widthOf(qi));
          return kFeed(width);
        },
        (start, m, out) => decide(out, m, width, (b) => start + b),
      );
      while (undecided.length > 0) {
        const round = undecided;
        undecided = [];
        const w = Math.min(rows, 4 * Math.max(...round.map((u) => u.width)));
        const sub = new Float32Array(round.length * d);
        round.forEach((u, i) => sub.set(queries.subarray(u.qi * d, (u.qi + 1) * d), i * d));
        await sweep(
          await searchSession(),
          sub,
          round.length,
          batch,
          { ...request, silent: true },
          () => kFeed(w),
          (start, m, out) => decide(out, m, w, (b) => round[start + b].qi),
        );
      }
      return result;
    },
    async rank(request) {
      const { queries, targets } = request;
      const n = checkQueries(queries);
      if (targets.length !== n)
        throw new InvalidArgumentError(`targets: ${targets.length} targets for ${n} queries`);
      for (let i = 0; i < n; i++) {
        const tg = targets[i];
        if (!Number.isInteger(tg) || tg < 0 || tg >= rows)
          throw new InvalidArgumentError(
            `targets[${i}]: ${tg} is outside the table's ${rows} rows`,
          );
      }
      if (rows > MAX_RANK_ROWS)
        throw new InvalidArgumentError(
          `table: rank supports up to ${MAX_RANK_ROWS} rows, this one has ${rows}`,
        );
      const exclude = exclusionsOf(request.exclude, n);
      const ranks = new Int32Array(n);
      // One set of buffers per request: concurrent requests must not share them.
      const most = Math.min(batch, n);
      const hi = new Float32Array(most);
      const lo = new Float32Array(most);
      const exactTarget = new Float64Array(most);
      const head = (data: Float32Array, length: number) =>
        data.length === length ? data : data.subarray(0, length);
      await sweep(
        await rankSession(),
        queries,
        n,
        batch,
        request,
        (start, m) => {
          for (let b = 0; b < m; b++) {
            const qi = start + b;
            const qNorm = queryNorm(queries, qi);
            const t = exactFor(queries, qi)(targets[qi]);
            const band = rankBand(t, metric === 'dot' ? 1 : 1 / (qNorm || 1), boundFor(qNorm));
            exactTarget[b] = t;
            hi[b] = band.hi;
            lo[b] = band.lo;
          }
          return {
            hi: { dtype: 'float32', dims: [m, 1], data: head(hi, m) },
            lo: { dtype: 'float32', dims: [m, 1], data: head(lo, m) },
          };
        },
        (start, m, out) => {
          const above = out.above.data as Float32Array;
          // [2, count]: query-in-batch indices (ascending), then row indices.
          const band = out.band.data as Int32Array;
          const total = band.length / 2;
          let from = 0;
          for (let b = 0; b < m; b++) {
            let to = from;
            while (to < total && band[to] === b) to++;
            const qi = start + b;
            mark(exclude(qi), qi);
            try {
              ranks[qi] = rankFromBand(
                above[b],
                band,
                total + from,
                total + to,
                targets[qi],
                exactTarget[b],
                exactFor(queries, qi),
                excluded,
                unique,
              );
            } finally {
              clear();
            }
            from = to;
          }
        },
      );
      return ranks;
    },
    async dispose() {
      for (const r of [searchRunner, rankRunner]) if (r) await (await r).dispose();
    },
  };
}
