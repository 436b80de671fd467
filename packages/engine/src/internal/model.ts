import { onnx } from 'onnx-proto';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { DType, TypedData } from './dtype';
import { Emitter, reachable, valueInfo } from './emitter';
import { opDef, Tensor } from './graph';
import { Dim } from './shape';

export const OPSET = 18;

export interface GraphInput {
  name: string;
  kind: 'Input' | 'Parameter' | 'DropoutMask';
  dtype: DType;
  shape: readonly Dim[];
  tensor: Tensor;
}

export interface EmitOptions {
  /** Graph outputs by name. */
  outputs: Readonly<Record<string, Tensor>>;
  /** 'infer' turns dropout masks into the constant 1. */
  mode: 'train' | 'infer';
  /** Parameter values embedded as initializers; other parameters become graph inputs. */
  initializers?: ReadonlyMap<string, TypedData>;
  graphName?: string;
}

export interface EmittedModel {
  bytes: Uint8Array;
  inputs: GraphInput[];
}

/** Serialise the part of a graph the outputs depend on as an ONNX ModelProto (opset 18). */
export function emitModel(options: EmitOptions): EmittedModel {
  const e = new Emitter(options.mode);
  const names = Object.keys(options.outputs);
  const outs = names.map((n) => options.outputs[n]);
  const inputs: GraphInput[] = [];
  // An op output that is a graph output is emitted under the output's name
  // (no Identity copy of, say, a whole embedding table per step).
  const nodes = reachable(outs);
  const leafNames = new Set(nodes.filter((t) => t.inputs.length === 0).map((t) => t.name));
  const renamed = new Map<number, string>();
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (seen.has(name)) throw new InvalidArgumentError(`output ${name} named twice`);
    if (leafNames.has(name) && outs[i].name !== name)
      throw new InvalidArgumentError(`output ${name} clashes with an input`);
    seen.add(name);
    const t = outs[i];
    if (t.inputs.length > 0 && !renamed.has(t.id)) renamed.set(t.id, name);
  });
  const nameOf = (t: Tensor): string => renamed.get(t.id) ?? t.name;
  for (const t of nodes) {
    if (t.op === 'Constant') {
      e.initializer(t.name, t.dtype, t.shape as number[], t.leaf?.data as TypedData);
    } else if (t.op === 'Parameter' && options.initializers?.has(t.name)) {
      e.initializer(
        t.name,
        t.dtype,
        t.shape as number[],
        options.initializers.get(t.name) as TypedData,
      );
    } else if (t.op === 'DropoutMask' && options.mode === 'infer') {
      const one = t.dtype === 'float64' ? new Float64Array([1]) : new Float32Array([1]);
      e.initializer(t.name, t.dtype, [], one);
    } else if (t.op === 'Input' || t.op === 'Parameter' || t.op === 'DropoutMask') {
      inputs.push({ name: t.name, kind: t.op, dtype: t.dtype, shape: t.shape, tensor: t });
    } else {
      opDef(t.op).emit(e, t, t.inputs.map(nameOf), nameOf(t));
    }
  }
  names.forEach((name, i) => {
    if (nameOf(outs[i]) !== name) e.node('Identity', [nameOf(outs[i])], [name]);
  });
  const graph: onnx.IGraphProto = {
    name: options.graphName ?? 'thoughtspace',
    node: e.nodes,
    initializer: e.initializers,
    input: inputs.map((i) => valueInfo(i.name, i.dtype, i.shape)),
    output: outs.map((t, i) => valueInfo(names[i], t.dtype, t.shape)),
  };
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'thoughtspace-engine',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
  });
  return { bytes: onnx.ModelProto.encode(model).finish(), inputs };
}
