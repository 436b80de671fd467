// In-graph optimizers: the update is emitted as ONNX ops after the backward
// pass, so one session.run is one training step. Step-dependent scalars
// (learning rate, bias corrections) are computed here and fed per step.
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { Tensor } from './internal/graph';
import { add, div, minimum, mul, reduceSum, sqrt, sub } from './internal/ops';

export interface UpdateContext {
  param: Tensor;
  grad: Tensor;
  /** Current value of each state slot for this parameter. */
  state: Readonly<Record<string, Tensor>>;
  /** Scalars fed this step (see `Optimizer.scalars`). */
  scalars: Readonly<Record<string, Tensor>>;
}

export interface Optimizer {
  readonly name: string;
  /** Per-parameter state tensors, shaped like the parameter, zero at start. */
  readonly slots: readonly string[];
  /** Hyper-parameters, recorded in checkpoints. */
  readonly config: Readonly<Record<string, number>>;
  /** Scalar inputs for 1-based step `step` at learning rate `lr`. */
  scalars(step: number, lr: number): Record<string, number>;
  update(ctx: UpdateContext): { param: Tensor; state: Record<string, Tensor> };
}

function check(name: string, value: number, ok: boolean): number {
  if (!ok || !Number.isFinite(value))
    throw new InvalidArgumentError(`optimizer: ${name} = ${value} is out of range`);
  return value;
}

export interface SgdOptions {
  momentum?: number;
  weightDecay?: number;
}

/** SGD with optional heavy-ball momentum and L2 weight decay. */
export function sgd(options: SgdOptions = {}): Optimizer {
  const momentum = check('momentum', options.momentum ?? 0, (options.momentum ?? 0) >= 0);
  const wd = check('weightDecay', options.weightDecay ?? 0, (options.weightDecay ?? 0) >= 0);
  return {
    name: 'sgd',
    slots: momentum > 0 ? ['velocity'] : [],
    config: { momentum, weightDecay: wd },
    scalars: (_step, lr) => ({ lr }),
    update: ({ param, grad, state, scalars }): { param: Tensor; state: Record<string, Tensor> } => {
      const g = wd > 0 ? add(grad, mul(param, wd)) : grad;
      if (momentum === 0) return { param: sub(param, mul(g, scalars.lr)), state: {} };
      const v = add(mul(state.velocity, momentum), g);
      return { param: sub(param, mul(v, scalars.lr)), state: { velocity: v } };
    },
  };
}

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Adam: L2 penalty added to the gradient. AdamW: decoupled decay of the weights. */
  weightDecay?: number;
}

function adamFamily(name: 'adam' | 'adamw', options: AdamOptions, defaultWd: number): Optimizer {
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.999;
  const eps = options.eps ?? 1e-8;
  const wd = options.weightDecay ?? defaultWd;
  check('beta1', b1, b1 >= 0 && b1 < 1);
  check('beta2', b2, b2 >= 0 && b2 < 1);
  check('eps', eps, eps > 0);
  check('weightDecay', wd, wd >= 0);
  return {
    name,
    slots: ['m', 'v'],
    config: { beta1: b1, beta2: b2, eps, weightDecay: wd },
    // Bias corrections 1 - beta^t computed in float64 here, fed as scalars.
    // lrOverBc1 folds the learning rate into the first-moment correction: one full-size op fewer.
    scalars: (step, lr) => ({
      lr,
      lrOverBc1: lr / (1 - Math.pow(b1, step)),
      bc2: 1 - Math.pow(b2, step),
    }),
    update: ({ param, grad, state, scalars }) => {
      const g = name === 'adam' && wd > 0 ? add(grad, mul(param, wd)) : grad;
      const m = add(mul(state.m, b1), mul(g, 1 - b1));
      const v = add(mul(state.v, b2), mul(mul(g, g), 1 - b2));
      let next = sub(param, div(mul(m, scalars.lrOverBc1), add(sqrt(div(v, scalars.bc2)), eps)));
      if (name === 'adamw' && wd > 0) next = sub(next, mul(param, mul(scalars.lr, wd)));
      return { param: next, state: { m, v } };
    },
  };
}

/** Adam (Kingma & Ba) with bias correction; weightDecay is an L2 term in the gradient (PyTorch `Adam`). */
export function adam(options: AdamOptions = {}): Optimizer {
  return adamFamily('adam', options, 0);
}

/** AdamW (Loshchilov & Hutter): decoupled weight decay p -= lr * wd * p (PyTorch `AdamW`, default wd 0.01). */
export function adamW(options: AdamOptions = {}): Optimizer {
  return adamFamily('adamw', options, 0.01);
}

/**
 * Scale all gradients by min(1, maxNorm / (globalNorm + 1e-6)). Returns the
 * clipped gradients and the global norm before clipping.
 */
export function clipByGlobalNorm(
  grads: readonly Tensor[],
  maxNorm: number,
): { grads: Tensor[]; norm: Tensor } {
  const norm = globalNorm(grads);
  if (!(maxNorm > 0)) return { grads: [...grads], norm };
  const scale = minimum(div(maxNorm, add(norm, 1e-6)), 1);
  return { grads: grads.map((g) => mul(g, scale)), norm };
}

export function globalNorm(grads: readonly Tensor[]): Tensor {
  let total: Tensor | undefined;
  for (const g of grads) {
    const s = reduceSum(mul(g, g));
    total = total ? add(total, s) : s;
  }
  if (!total) throw new InvalidArgumentError('globalNorm: no gradients');
  return sqrt(total);
}

export interface WarmupCosineOptions {
  peak: number;
  warmupSteps: number;
  totalSteps: number;
  /** Floor reached at totalSteps (default 0). */
  min?: number;
}

/** Learning rate for 1-based `step`: linear warmup to `peak`, then cosine decay to `min`. */
export function warmupCosine(options: WarmupCosineOptions): (step: number) => number {
  const { peak, warmupSteps, totalSteps } = options;
  const floor = options.min ?? 0;
  return (step) => {
    if (warmupSteps > 0 && step <= warmupSteps) return (peak * step) / warmupSteps;
    const t = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * t));
  };
}
