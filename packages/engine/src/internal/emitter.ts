import { onnx } from 'onnx-proto';
import { allocate, DType, onnxType, rawBytes, TypedData } from './dtype';
import { Tensor } from './graph';
import { Shape } from './shape';

export type OnnxAttr =
  | { i: number }
  | { f: number }
  | { ints: readonly number[] }
  | { s: string }
  | { t: onnx.ITensorProto };

const AT = onnx.AttributeProto.AttributeType;

function attribute(name: string, a: OnnxAttr): onnx.IAttributeProto {
  if ('i' in a) return { name, type: AT.INT, i: a.i };
  if ('f' in a) return { name, type: AT.FLOAT, f: a.f };
  if ('ints' in a) return { name, type: AT.INTS, ints: [...a.ints] };
  if ('s' in a) return { name, type: AT.STRING, s: new TextEncoder().encode(a.s) };
  return { name, type: AT.TENSOR, t: a.t };
}

export function tensorProto(
  name: string,
  dtype: DType,
  dims: readonly number[],
  data: TypedData,
): onnx.ITensorProto {
  return { name, dataType: onnxType(dtype), dims: [...dims], rawData: rawBytes(data).slice() };
}

export function valueInfo(name: string, dtype: DType, shape: Shape): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnxType(dtype),
        shape: {
          dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

/**
 * Collects ONNX nodes and initializers while a graph is emitted. Helper names
 * come from a counter, so the same graph always emits the same bytes.
 */
export class Emitter {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private readonly consts = new Map<string, string>();
  private counter = 0;

  constructor(readonly mode: 'train' | 'infer') {}

  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs: Record<string, OnnxAttr> = {},
  ): void {
    const attribute_ = Object.keys(attrs).map((k) => attribute(k, attrs[k]));
    this.nodes.push({
      opType,
      name: `${outputs[0]}:${opType}`,
      input: [...inputs],
      output: [...outputs],
      attribute: attribute_,
    });
  }

  tmp(base: string): string {
    return `${base}__${this.counter++}`;
  }

  /** A 1-D int64 initializer, shared between all uses of the same values. */
  int64s(values: readonly number[]): string {
    const key = values.join(',');
    let name = this.consts.get(key);
    if (name === undefined) {
      name = `i64_${this.consts.size}`;
      const data = allocate('int64', values.length) as BigInt64Array;
      values.forEach((v, i) => (data[i] = BigInt(v)));
      this.initializers.push(tensorProto(name, 'int64', [values.length], data));
      this.consts.set(key, name);
    }
    return name;
  }

  initializer(name: string, dtype: DType, dims: readonly number[], data: TypedData): void {
    this.initializers.push(tensorProto(name, dtype, dims, data));
  }
}

/** Every tensor the outputs depend on, in id order, found without recursion. */
export function reachable(outputs: readonly Tensor[]): Tensor[] {
  const seen = new Map<number, Tensor>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    if (seen.has(t.id)) continue;
    seen.set(t.id, t);
    for (const i of t.inputs) if (!seen.has(i.id)) stack.push(i);
  }
  return [...seen.values()].sort((a, b) => a.id - b.id);
}
