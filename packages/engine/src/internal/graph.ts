import { InvalidArgumentError } from '@thoughtspace/runtime';
import { allocate, DType, dtypeOf, isFloat, TypedData } from './dtype';
import { Dim, formatShape, Shape } from './shape';
import type { Emitter } from './emitter';
import type { Initializer } from '../init';

export type AttrValue = number | string | boolean | readonly number[];
export type Attrs = Readonly<Record<string, AttrValue>>;

/** Kinds of leaves; every other tensor is the output of a registered op. */
export type LeafKind = 'Input' | 'Parameter' | 'Constant' | 'DropoutMask';

/**
 * One value in a graph: a leaf or the single output of an op. Ids follow
 * creation order, which is a topological order because a tensor's inputs
 * always exist before it.
 */
export class Tensor {
  /** @internal */
  constructor(
    readonly graph: Graph,
    readonly id: number,
    readonly op: string,
    readonly inputs: readonly Tensor[],
    readonly attrs: Attrs,
    readonly shape: readonly Dim[],
    readonly dtype: DType,
    readonly name: string,
    /** Constant data, parameter initializer or dropout rate (leaves only). */
    readonly leaf?: { data?: TypedData; init?: Initializer; trainable?: boolean; rate?: number },
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `${this.name}${formatShape(this.shape)}:${this.dtype}`;
  }
}

export interface OpDef {
  /** Output shape and dtype; throws naming the op and the offending shapes. */
  infer(inputs: readonly Tensor[], attrs: Attrs): { shape: Dim[]; dtype: DType };
  /** ONNX nodes computing `out` from the input names. */
  emit(e: Emitter, node: Tensor, ins: readonly string[], out: string): void;
  /** Gradient for each input given the output gradient; null where none flows. */
  grad?(node: Tensor, g: Tensor): (Tensor | null)[];
}

const registry = new Map<string, OpDef>();

export function defineOp(name: string, def: OpDef): void {
  if (registry.has(name)) throw new Error(`op ${name} defined twice`);
  registry.set(name, def);
}

export function opDef(name: string): OpDef {
  const def = registry.get(name);
  if (!def) throw new InvalidArgumentError(`unknown op ${name}`);
  return def;
}

export interface ParameterOptions {
  init: Initializer;
  /** Frozen parameters are exported and checkpointed but never updated. */
  trainable?: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.:/-]*$/;

/** A computation graph under construction. `dtype` is the float type of parameters and constants. */
export class Graph {
  readonly dtype: DType;
  private readonly tensors: Tensor[] = [];
  private readonly names = new Set<string>();

  constructor(options: { dtype?: 'float32' | 'float64' } = {}) {
    this.dtype = options.dtype ?? 'float32';
  }

  /** All tensors in creation (= topological) order. */
  get all(): readonly Tensor[] {
    return this.tensors;
  }

  leaves(kind: LeafKind): Tensor[] {
    return this.tensors.filter((t) => t.op === kind);
  }

  input(name: string, shape: Shape, dtype: DType = this.dtype): Tensor {
    return this.leaf('Input', this.claim(name), shape, dtype, {});
  }

  parameter(name: string, shape: readonly number[], options: ParameterOptions): Tensor {
    for (const d of shape) {
      if (typeof d !== 'number' || !Number.isInteger(d) || d <= 0) {
        throw new InvalidArgumentError(
          `parameter ${name}: shape ${formatShape(shape)} must be positive integers`,
        );
      }
    }
    return this.leaf('Parameter', this.claim(name), shape, this.dtype, {
      init: options.init,
      trainable: options.trainable ?? true,
    });
  }

  constant(values: TypedData | readonly number[], shape: readonly number[], dtype?: DType): Tensor {
    const dt = dtype ?? (Array.isArray(values) ? this.dtype : dtypeOf(values as TypedData));
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) {
      throw new InvalidArgumentError(
        `constant: ${values.length} values for shape ${formatShape(shape)}`,
      );
    }
    const data = allocate(dt, size);
    for (let i = 0; i < size; i++) {
      const v = values[i];
      (data as unknown as (number | bigint)[])[i] = dt === 'int64' ? BigInt(v) : Number(v);
    }
    return this.leaf('Constant', `const_${this.tensors.length}`, shape, dt, { data });
  }

  scalar(value: number, dtype: DType = this.dtype): Tensor {
    return this.constant([value], [], dtype);
  }

  /** Dropout keep-mask scaled by 1/(1-rate): fed from a seeded generator in training, 1 in inference. */
  dropoutMask(shape: Shape, rate: number): Tensor {
    if (!(rate >= 0 && rate < 1))
      throw new InvalidArgumentError(`dropout: rate ${rate} must be in [0, 1)`);
    return this.leaf('DropoutMask', `dropout_mask_${this.tensors.length}`, shape, this.dtype, {
      rate,
    });
  }

  apply(op: string, inputs: readonly Tensor[], attrs: Attrs = {}): Tensor {
    for (const t of inputs) {
      if (t.graph !== this)
        throw new InvalidArgumentError(`${op}: input ${t.name} belongs to another graph`);
    }
    const { shape, dtype } = opDef(op).infer(inputs, attrs);
    const id = this.tensors.length;
    const t = new Tensor(this, id, op, inputs, attrs, shape, dtype, `${op.toLowerCase()}_${id}`);
    this.tensors.push(t);
    return t;
  }

  private claim(name: string): string {
    if (!NAME.test(name))
      throw new InvalidArgumentError(
        `tensor name ${JSON.stringify(name)} is not a valid identifier`,
      );
    if (this.names.has(name)) throw new InvalidArgumentError(`tensor name ${name} is used twice`);
    this.names.add(name);
    return name;
  }

  private leaf(
    kind: LeafKind,
    name: string,
    shape: Shape,
    dtype: DType,
    leaf: Tensor['leaf'],
  ): Tensor {
    const t = new Tensor(this, this.tensors.length, kind, [], {}, [...shape], dtype, name, leaf);
    this.tensors.push(t);
    return t;
  }
}

export function requiresFloat(op: string, t: Tensor): void {
  if (!isFloat(t.dtype)) throw new InvalidArgumentError(`${op}: expected a float tensor, got ${t}`);
}
