// The only module that imports onnxruntime-node: services and the trainer run
// models through this seam, so the runtime (and its execution provider) can
// be swapped or mocked without touching model code.
import { statSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { basename } from 'node:path';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { FailedPreconditionError, InvalidArgumentError } from '@thoughtspace/runtime';
import { DType, TypedData } from './internal/dtype';

/** A plain tensor: element type, dimensions and row-major data. */
export interface TensorValue {
  dtype: DType;
  dims: readonly number[];
  data: TypedData;
}

export type Feeds = Readonly<Record<string, TensorValue>>;

export type ExecutionProvider = 'cpu' | 'cuda';

export interface ModelRunnerOptions {
  /** Serialised ONNX model or a path to a .onnx file. */
  model: Uint8Array | string;
  /**
   * The file the bytes came from, named in load errors (default: `model`
   * when it is a path). Pass it whenever the bytes were read from disk.
   */
  source?: string;
  /** 'cpu' (default) or 'cuda' (needs the CUDA binaries, ONNXRUNTIME_NODE_INSTALL=cuda12, see docs/gpu.md, and a GPU). */
  executionProvider?: ExecutionProvider;
  /** Intra-op threads; fix it for bit-reproducible CPU results. Default 2. */
  threads?: number;
  /** Model name on every run's span (default: the file name, or "model"). */
  name?: string;
  /**
   * Let idle intra-op threads spin waiting for work (onnxruntime's default,
   * true). Spinning saves wake-ups between the many small ops of a training
   * step; for a few large ops per run on a shared machine, false is faster:
   * a spinning thread holds a core the working one needs (bench/topk.ts).
   */
  spinning?: boolean;
}

export interface RunOptions {
  /** Outputs to fetch (default all). */
  outputs?: readonly string[];
  /** Pre-allocated buffers the named outputs are written into (no allocation per run). */
  into?: Readonly<Record<string, TensorValue>>;
}

const ORT_TYPES: Record<DType, ort.Tensor.Type> = {
  float32: 'float32',
  float64: 'float64',
  int64: 'int64',
  int32: 'int32',
  bool: 'bool',
};

function toOrt(name: string, v: TensorValue): ort.Tensor {
  const size = v.dims.reduce((a, b) => a * b, 1);
  if (size !== v.data.length) {
    throw new InvalidArgumentError(
      `feed ${name}: ${v.data.length} values for dims [${v.dims.join(',')}]`,
    );
  }
  return new ort.Tensor(ORT_TYPES[v.dtype], v.data as ort.Tensor.DataType, [...v.dims]);
}

function fromOrt(t: ort.Tensor): TensorValue {
  return { dtype: t.type as DType, dims: [...t.dims], data: t.data as TypedData };
}

/** Size of what failed to load: a truncated file is the commonest cause. */
function describeSize(model: Uint8Array | string, source: string): string {
  if (typeof model !== 'string') return `${model.length} bytes`;
  try {
    return `${statSync(source).size} bytes`;
  } catch {
    return 'not readable';
  }
}

const tracer = () => trace.getTracer('@thoughtspace/engine');

let processThreads: number | undefined;

/**
 * Intra-op threads for every session this process creates from now on,
 * whatever each caller's options say (undefined: back to the callers' own
 * settings). A command's `--threads 1` uses it: onnxruntime's CPU kernels
 * split reductions across threads, so only one thread gives bit-identical
 * training runs (docs/decisions/0019).
 */
export function setProcessThreads(threads: number | undefined): void {
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 64)) {
    throw new InvalidArgumentError(`threads: must be an integer in 1..64, got ${String(threads)}`);
  }
  processThreads = threads;
}

/** The process-wide thread count set by setProcessThreads, if any. */
export function processThreadCount(): number | undefined {
  return processThreads;
}

export class ModelRunner {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly executionProvider: ExecutionProvider,
    readonly name: string,
  ) {}

  static async create(options: ModelRunnerOptions): Promise<ModelRunner> {
    const ep = options.executionProvider ?? 'cpu';
    if (ep !== 'cpu' && ep !== 'cuda')
      throw new InvalidArgumentError(`executionProvider: expected cpu or cuda, got ${String(ep)}`);
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: [ep],
      intraOpNumThreads: processThreads ?? options.threads ?? 2,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      ...(options.spinning === false
        ? { extra: { session: { intra_op: { allow_spinning: '0' } } } }
        : {}),
    };
    try {
      const session =
        typeof options.model === 'string'
          ? await ort.InferenceSession.create(options.model, sessionOptions)
          : await ort.InferenceSession.create(options.model, sessionOptions);
      const name =
        options.name ?? (typeof options.model === 'string' ? basename(options.model) : 'model');
      return new ModelRunner(session, ep, name);
    } catch (err) {
      const hint =
        ep === 'cuda'
          ? ' (CUDA needs onnxruntime-node installed with ONNXRUNTIME_NODE_INSTALL=cuda12 and its install script allowed, and an NVIDIA GPU with CUDA 12; see docs/gpu.md)'
          : '';
      const first = String((err as Error).message).split('\n')[0];
      const source =
        options.source ?? (typeof options.model === 'string' ? options.model : undefined);
      const what = source
        ? `${source} (${describeSize(options.model, source)})`
        : `the model (${options.model.length} bytes in memory)`;
      throw new FailedPreconditionError(
        `onnxruntime could not load ${what} on ${ep}${hint}: ${first}`,
        { cause: err },
      );
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /**
   * One session.run, inside an `onnxruntime.run` span (model name, batch
   * size = the first feed's leading dimension, execution provider); the span
   * is a no-op unless a service registered the OpenTelemetry SDK.
   */
  async run(feeds: Feeds, options: RunOptions = {}): Promise<Record<string, TensorValue>> {
    const first = Object.values(feeds)[0];
    return tracer().startActiveSpan(
      'onnxruntime.run',
      {
        attributes: {
          'thoughtspace.model': this.name,
          'thoughtspace.batch_size': first?.dims[0] ?? 0,
          'onnxruntime.execution_provider': this.executionProvider,
        },
      },
      async (span) => {
        try {
          return await this.runSession(feeds, options);
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  }

  private async runSession(
    feeds: Feeds,
    options: RunOptions,
  ): Promise<Record<string, TensorValue>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const name of Object.keys(feeds)) ortFeeds[name] = toOrt(name, feeds[name]);
    const wanted = options.outputs ?? this.session.outputNames;
    const fetches: Record<string, ort.Tensor | null> = {};
    for (const name of wanted) {
      const target = options.into?.[name];
      fetches[name] = target ? toOrt(name, target) : null;
    }
    const result = await this.session.run(ortFeeds, fetches);
    const out: Record<string, TensorValue> = {};
    for (const name of wanted) out[name] = fromOrt(result[name]);
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
