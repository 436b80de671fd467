import { FailedPreconditionError, InvalidArgumentError, Progress } from '@thoughtspace/runtime';
import { gradients } from './internal/autodiff';
import { allocate, TypedData } from './internal/dtype';
import { bindInputs } from './internal/feeds';
import { Graph, Tensor } from './internal/graph';
import { EmittedModel, emitModel, GraphInput } from './internal/model';
import { resolveDim } from './internal/shape';
import { fillDropoutMask, hashSeed, Rng } from './init';
import { clipByGlobalNorm, Optimizer } from './optim';
import { ExecutionProvider, Feeds, ModelRunner, TensorValue } from './runner';

export interface TrainerOptions {
  graph: Graph;
  /** Scalar float loss. */
  loss: Tensor;
  optimizer: Optimizer;
  /** Clip gradients to this global norm (off when omitted). */
  clipNorm?: number;
  /** Seeds parameter initialisers and dropout masks. Default 0. */
  seed?: number;
  /** Intra-op threads (fixed threads make CPU runs bit-reproducible). Default 2. */
  threads?: number;
  executionProvider?: ExecutionProvider;
  /** Extra tensors fetched every step, e.g. accuracy. */
  metrics?: Readonly<Record<string, Tensor>>;
  /** Write new parameters and optimizer state into pre-allocated double buffers. Default true. */
  preallocate?: boolean;
}

export interface StepResult {
  step: number;
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  metrics: Record<string, TensorValue>;
}

export interface FitOptions {
  batches: Iterable<Feeds> | AsyncIterable<Feeds>;
  /** Learning rate for each 1-based step (see warmupCosine). */
  lr: (step: number) => number;
  onStep?: (result: StepResult) => void;
  progress?: Progress;
}

type Buffers = Map<string, TypedData>;

/** Parameters and optimizer state of a trainer, as stored in checkpoints. */
export interface TrainerState {
  step: number;
  parameters: ReadonlyMap<string, TypedData>;
  optimizerState: ReadonlyMap<string, TypedData>;
}

export const STATE_PREFIX = 'optimizer';

/**
 * Adds the backward pass and the optimizer update to the graph and emits the
 * training-step model: inputs are data, parameters, optimizer state and step
 * scalars; outputs are the loss, the gradient norm, updated parameters and
 * state (`<name>.next`) and metrics.
 */
export function compileTrainingStep(options: TrainerOptions): {
  model: EmittedModel;
  trainable: Tensor[];
  stateNames: string[];
  scalarNames: string[];
  metricNames: string[];
} {
  const { graph, loss, optimizer } = options;
  if (loss.graph !== graph)
    throw new InvalidArgumentError('trainer: loss belongs to another graph');
  if (graph.leaves('Input').some((t) => t.name.startsWith(`${STATE_PREFIX}.`))) {
    throw new FailedPreconditionError(
      'trainer: this graph already has a training step; build a fresh graph per trainer',
    );
  }
  const trainable = graph.leaves('Parameter').filter((p) => p.leaf?.trainable !== false);
  const grads = gradients(loss, trainable);
  const active = trainable.filter((_, i) => grads[i] !== null);
  if (active.length === 0)
    throw new InvalidArgumentError('trainer: the loss depends on no trainable parameter');
  const { grads: clipped, norm } = clipByGlobalNorm(
    grads.filter((g): g is Tensor => g !== null),
    options.clipNorm ?? 0,
  );
  const scalarNames = Object.keys(optimizer.scalars(1, 0));
  const scalars: Record<string, Tensor> = {};
  for (const s of scalarNames) scalars[s] = graph.input(`${STATE_PREFIX}.${s}`, []);
  const outputs: Record<string, Tensor> = { loss, grad_norm: norm };
  const stateNames: string[] = [];
  active.forEach((p, i) => {
    const state: Record<string, Tensor> = {};
    for (const slot of optimizer.slots) {
      const name = `${STATE_PREFIX}.${slot}.${p.name}`;
      state[slot] = graph.input(name, p.shape);
      stateNames.push(name);
    }
    const next = optimizer.update({ param: p, grad: clipped[i], state, scalars });
    outputs[`${p.name}.next`] = next.param;
    for (const slot of optimizer.slots)
      outputs[`${STATE_PREFIX}.${slot}.${p.name}.next`] = next.state[slot];
  });
  const metricNames = Object.keys(options.metrics ?? {});
  for (const m of metricNames)
    outputs[`metric.${m}`] = (options.metrics as Record<string, Tensor>)[m];
  const model = emitModel({ outputs, mode: 'train', graphName: 'train_step' });
  return { model, trainable: active, stateNames, scalarNames, metricNames };
}

/**
 * Runs training steps as single session.run calls of one ONNX graph holding
 * forward, backward and optimizer update. Parameters and optimizer state stay
 * in typed arrays between steps.
 */
export class Trainer {
  /** Steps taken so far. */
  step = 0;
  readonly graph: Graph;
  readonly optimizer: Optimizer;
  readonly seed: number;
  readonly trainable: readonly Tensor[];
  private readonly params: Tensor[];
  private values: Buffers = new Map();
  private spare: Buffers = new Map();
  private masks = new Map<string, TypedData>();
  private readonly evalRunners = new Map<string, { runner: ModelRunner; inputs: GraphInput[] }>();

  private constructor(
    private readonly options: TrainerOptions,
    private readonly runner: ModelRunner,
    private readonly inputs: GraphInput[],
    trainable: Tensor[],
    private readonly stateNames: string[],
    private readonly scalarNames: string[],
    private readonly metricNames: string[],
  ) {
    this.graph = options.graph;
    this.optimizer = options.optimizer;
    this.seed = options.seed ?? 0;
    this.trainable = trainable;
    this.params = this.graph.leaves('Parameter');
    for (const p of this.params) {
      const shape = p.shape as number[];
      const data = allocate(
        p.dtype,
        shape.reduce((a, b) => a * b, 1),
      ) as Float32Array | Float64Array;
      p.leaf?.init?.fill(data, shape, new Rng(hashSeed(this.seed, p.name)));
      this.values.set(p.name, data);
      this.spare.set(p.name, allocate(p.dtype, data.length));
    }
    for (const name of stateNames) {
      const p = this.paramOfState(name);
      this.values.set(name, allocate(p.dtype, this.sizeOf(p)));
      this.spare.set(name, allocate(p.dtype, this.sizeOf(p)));
    }
  }

  static async create(options: TrainerOptions): Promise<Trainer> {
    const step = compileTrainingStep(options);
    const runner = await ModelRunner.create({
      model: step.model.bytes,
      threads: options.threads,
      executionProvider: options.executionProvider,
    });
    return new Trainer(
      options,
      runner,
      step.model.inputs,
      step.trainable,
      step.stateNames,
      step.scalarNames,
      step.metricNames,
    );
  }

  /** Current parameter values by name (live buffers: copy before mutating). */
  get parameters(): ReadonlyMap<string, TypedData> {
    return new Map(this.params.map((p) => [p.name, this.values.get(p.name) as TypedData]));
  }

  get state(): TrainerState {
    return {
      step: this.step,
      parameters: this.parameters,
      optimizerState: new Map(this.stateNames.map((n) => [n, this.values.get(n) as TypedData])),
    };
  }

  /** One training step at learning rate `lr`. Throws (leaving parameters unchanged) if the loss is not finite. */
  async trainStep(feeds: Feeds, options: { lr: number }): Promise<StepResult> {
    const dataInputs = this.inputs.filter(
      (i) => i.kind === 'Input' && !i.name.startsWith(`${STATE_PREFIX}.`),
    );
    if (!Number.isFinite(options.lr)) {
      throw new InvalidArgumentError(
        `trainStep: learning rate ${options.lr} is not a finite number`,
      );
    }
    const bindings = bindInputs(dataInputs, feeds);
    const step = this.step + 1;
    // Only the graph's own inputs: onnxruntime rejects unknown feed names.
    const all: Record<string, TensorValue> = {};
    for (const i of dataInputs) all[i.name] = feeds[i.name];
    const scalars = this.optimizer.scalars(step, options.lr);
    const dtype = this.graph.dtype;
    for (const s of this.scalarNames)
      all[`${STATE_PREFIX}.${s}`] = {
        dtype,
        dims: [],
        data: allocate(dtype, 1).fill(scalars[s] as never),
      };
    for (const input of this.inputs) {
      if (input.kind === 'DropoutMask') all[input.name] = this.dropoutMask(input, bindings, step);
      else if (input.kind === 'Parameter' || this.stateNames.includes(input.name))
        all[input.name] = this.tensorOf(input.name);
    }
    const into: Record<string, TensorValue> = {};
    if (this.options.preallocate !== false) {
      for (const p of this.trainable) into[`${p.name}.next`] = this.tensorOf(p.name, this.spare);
      for (const n of this.stateNames) into[`${n}.next`] = this.tensorOf(n, this.spare);
    }
    const out = await this.runner.run(all, { into });
    const loss = Number(out.loss.data[0]);
    if (!Number.isFinite(loss)) {
      throw new FailedPreconditionError(
        `training stopped: loss is ${loss} at step ${step}; parameters are those after step ${this.step}`,
      );
    }
    for (const name of [...this.trainable.map((p) => p.name), ...this.stateNames]) {
      if (this.options.preallocate !== false) {
        const cur = this.values.get(name) as TypedData;
        this.values.set(name, this.spare.get(name) as TypedData);
        this.spare.set(name, cur);
      } else {
        this.values.set(name, out[`${name}.next`].data);
      }
    }
    this.step = step;
    const metrics: Record<string, TensorValue> = {};
    for (const m of this.metricNames) metrics[m] = out[`metric.${m}`];
    return { step, loss, gradNorm: Number(out.grad_norm.data[0]), metrics };
  }

  /** Train over `batches`, one step each. Returns the mean loss. */
  async fit(options: FitOptions): Promise<number> {
    let total = 0;
    let n = 0;
    for await (const batch of options.batches) {
      const r = await this.trainStep(batch, { lr: options.lr(this.step + 1) });
      total += r.loss;
      n++;
      options.onStep?.(r);
      options.progress?.tick();
    }
    options.progress?.done();
    return n > 0 ? total / n : NaN;
  }

  /** Forward values of `outputs` with the current parameters (inference mode: no dropout). */
  async evaluate(
    feeds: Feeds,
    outputs: Readonly<Record<string, Tensor>>,
  ): Promise<Record<string, TensorValue>> {
    const key = Object.keys(outputs)
      .map((k) => `${k}=${outputs[k].id}`)
      .join(',');
    let cached = this.evalRunners.get(key);
    if (!cached) {
      const model = emitModel({ outputs, mode: 'infer', graphName: 'evaluate' });
      const runner = await ModelRunner.create({
        model: model.bytes,
        threads: this.options.threads,
      });
      cached = { runner, inputs: model.inputs };
      this.evalRunners.set(key, cached);
    }
    const all: Record<string, TensorValue> = {};
    const data = cached.inputs.filter((i) => i.kind === 'Input');
    bindInputs(data, feeds);
    for (const i of data) all[i.name] = feeds[i.name];
    for (const i of cached.inputs) if (i.kind === 'Parameter') all[i.name] = this.tensorOf(i.name);
    return cached.runner.run(all);
  }

  /** Overwrite parameters, optimizer state and step (see checkpoint.ts for the checks). */
  restore(state: TrainerState): void {
    for (const [name, data] of [...state.parameters, ...state.optimizerState]) {
      const target = this.values.get(name);
      if (!target || target.length !== data.length)
        throw new FailedPreconditionError(`restore: tensor ${name} does not fit the model`);
      (target as Float32Array).set(data as Float32Array);
    }
    this.step = state.step;
  }

  /** Shape of a parameter or optimizer-state tensor. */
  shapeOf(name: string): readonly number[] {
    return this.tensorOf(name).dims;
  }

  async dispose(): Promise<void> {
    await this.runner.dispose();
    for (const { runner } of this.evalRunners.values()) await runner.dispose();
    this.evalRunners.clear();
  }

  private tensorOf(name: string, from: Buffers = this.values): TensorValue {
    const p = this.params.find((t) => t.name === name) ?? this.paramOfState(name);
    return { dtype: p.dtype, dims: p.shape as number[], data: from.get(name) as TypedData };
  }

  private paramOfState(name: string): Tensor {
    const pname = name.slice(name.indexOf('.', STATE_PREFIX.length + 1) + 1);
    const p = this.params.find((t) => t.name === pname);
    if (!p) throw new Error(`no parameter for state ${name}`);
    return p;
  }

  private sizeOf(p: Tensor): number {
    return (p.shape as number[]).reduce((a, b) => a * b, 1);
  }

  /** Keep-mask scaled by 1/(1-rate), drawn from a stream fixed by (seed, step, mask name). */
  private dropoutMask(input: GraphInput, bindings: Map<string, number>, step: number): TensorValue {
    const dims = input.shape.map((d) => resolveDim(d, bindings, input.name));
    const size = dims.reduce((a, b) => a * b, 1);
    let data = this.masks.get(input.name);
    if (!data || data.length !== size) {
      data = allocate(input.dtype, size);
      this.masks.set(input.name, data);
    }
    const rate = input.tensor.leaf?.rate ?? 0;
    fillDropoutMask(
      data as Float32Array,
      rate,
      hashSeed(this.seed, `dropout/${step}/${input.name}`),
    );
    return { dtype: input.dtype, dims, data };
  }
}
