// Checkpoints in the safetensors layout (https://huggingface.co/docs/safetensors):
// 8-byte little-endian header length N, N bytes of JSON header
// {"__metadata__": {string: string}, "<name>": {"dtype", "shape", "data_offsets": [begin, end]}},
// then raw little-endian tensor bytes. Any safetensors reader can open them.
import { promises as fs } from 'node:fs';
import {
  DataLossError,
  FailedPreconditionError,
  InvalidArgumentError,
} from '@thoughtspace/runtime';
import { allocate, DType, rawBytes, TypedData } from './internal/dtype';

export interface NamedTensor {
  name: string;
  dtype: DType;
  shape: readonly number[];
  data: TypedData;
}

export interface SafetensorsFile {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

const CODES: Record<DType, string> = {
  float32: 'F32',
  float64: 'F64',
  int64: 'I64',
  int32: 'I32',
  bool: 'BOOL',
};
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int64: 8, int32: 4, bool: 1 };

export function encodeSafetensors(file: SafetensorsFile): Buffer {
  const header: Record<string, unknown> = { __metadata__: file.metadata };
  let offset = 0;
  for (const t of file.tensors) {
    if (t.name === '__metadata__' || t.name in header)
      throw new InvalidArgumentError(`safetensors: duplicate tensor ${t.name}`);
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length)
      throw new InvalidArgumentError(
        `safetensors: ${t.name} has ${t.data.length} values for [${t.shape.join(',')}]`,
      );
    header[t.name] = {
      dtype: CODES[t.dtype],
      shape: [...t.shape],
      data_offsets: [offset, offset + t.data.byteLength],
    };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned (allowed by the format).
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + head.length + offset);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  let pos = 8 + head.length;
  for (const t of file.tensors) {
    Buffer.from(rawBytes(t.data)).copy(out, pos);
    pos += t.data.byteLength;
  }
  return out;
}

export function decodeSafetensors(buf: Buffer, source = 'checkpoint'): SafetensorsFile {
  if (buf.length < 8) throw new DataLossError(`${source}: too short for a safetensors header`);
  const n = Number(buf.readBigUInt64LE(0));
  if (8 + n > buf.length)
    throw new DataLossError(`${source}: header length ${n} exceeds file size ${buf.length}`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  } catch (err) {
    throw new DataLossError(`${source}: header is not JSON`, { cause: err });
  }
  const metadata = (header.__metadata__ ?? {}) as unknown as Record<string, string>;
  const base = 8 + n;
  const tensors: NamedTensor[] = [];
  for (const name of Object.keys(header)) {
    if (name === '__metadata__') continue;
    const h = header[name];
    const dtype = (Object.keys(CODES) as DType[]).find((d) => CODES[d] === h.dtype);
    if (!dtype)
      throw new DataLossError(`${source}: tensor ${name} has unsupported dtype ${h.dtype}`);
    const [begin, end] = h.data_offsets;
    const size = h.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== size * BYTES[dtype] || base + end > buf.length) {
      throw new DataLossError(
        `${source}: tensor ${name} offsets [${begin}, ${end}] do not match its shape`,
      );
    }
    const data = allocate(dtype, size);
    Buffer.from(buf.buffer, buf.byteOffset + base + begin, end - begin).copy(rawBytes(data));
    tensors.push({ name, dtype, shape: h.shape, data });
  }
  return { tensors, metadata };
}

export async function writeSafetensors(path: string, file: SafetensorsFile): Promise<void> {
  // Write then rename so a crash never leaves a truncated checkpoint behind.
  const tmp = `${path}.tmp-${process.pid}`;
  await fs.writeFile(tmp, encodeSafetensors(file));
  await fs.rename(tmp, path);
}

export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  return decodeSafetensors(await fs.readFile(path), path);
}

export const CHECKPOINT_FORMAT = 'thoughtspace-engine-checkpoint/1';

/** What a trainer checkpoint holds besides tensors. */
export interface CheckpointInfo {
  step: number;
  seed: number;
  optimizer: { name: string; config: Record<string, number> };
  /** Caller's model/training configuration, stored as JSON. */
  config: unknown;
}

interface Checkpointable {
  readonly state: {
    step: number;
    parameters: ReadonlyMap<string, TypedData>;
    optimizerState: ReadonlyMap<string, TypedData>;
  };
  readonly seed: number;
  readonly optimizer: { name: string; config: Readonly<Record<string, number>> };
  restore(state: {
    step: number;
    parameters: ReadonlyMap<string, TypedData>;
    optimizerState: ReadonlyMap<string, TypedData>;
  }): void;
}

function tensorsOf(state: Checkpointable['state']): NamedTensor[] {
  return [...state.parameters, ...state.optimizerState].map(([name, data]) => ({
    name,
    dtype: dtypeName(data),
    shape: [data.length],
    data,
  }));
}

function dtypeName(data: TypedData): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/**
 * Save parameters (under their own names, so any safetensors reader finds the
 * weights), optimizer state (`optimizer.<slot>.<param>`), step, seed,
 * optimizer hyper-parameters and `config` in one safetensors file.
 */
export async function saveCheckpoint(
  trainer: Checkpointable & { shapeOf(name: string): readonly number[] },
  path: string,
  config: unknown = {},
): Promise<void> {
  const tensors = tensorsOf(trainer.state).map((t) => ({ ...t, shape: trainer.shapeOf(t.name) }));
  const metadata = {
    format: CHECKPOINT_FORMAT,
    step: String(trainer.state.step),
    seed: String(trainer.seed),
    optimizer: JSON.stringify({ name: trainer.optimizer.name, config: trainer.optimizer.config }),
    config: JSON.stringify(config),
  };
  await writeSafetensors(path, { tensors, metadata });
}

/**
 * Load a checkpoint into a trainer built for the same model. The first tensor
 * that is missing, unexpected, or of another shape or dtype is named.
 */
export async function loadCheckpoint(
  trainer: Checkpointable & { shapeOf(name: string): readonly number[] },
  path: string,
): Promise<CheckpointInfo> {
  const file = await readSafetensors(path);
  if (file.metadata.format !== CHECKPOINT_FORMAT) {
    throw new FailedPreconditionError(
      `${path}: not an engine checkpoint (format ${JSON.stringify(file.metadata.format)})`,
    );
  }
  const optimizer = JSON.parse(file.metadata.optimizer) as CheckpointInfo['optimizer'];
  if (optimizer.name !== trainer.optimizer.name) {
    throw new FailedPreconditionError(
      `${path}: optimizer ${optimizer.name} does not match the trainer's ${trainer.optimizer.name}`,
    );
  }
  if (Number(file.metadata.seed) !== trainer.seed) {
    // Dropout masks are drawn from (seed, step): another seed would not resume the same run.
    throw new FailedPreconditionError(
      `${path}: seed ${file.metadata.seed} does not match the trainer's ${trainer.seed}`,
    );
  }
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const expected = tensorsOf(trainer.state);
  for (const want of expected) {
    const got = byName.get(want.name);
    const shape = trainer.shapeOf(want.name);
    if (!got)
      throw new FailedPreconditionError(
        `${path} does not match the model: tensor ${want.name} is missing`,
      );
    if (got.dtype !== want.dtype || got.shape.join(',') !== shape.join(',')) {
      throw new FailedPreconditionError(
        `${path} does not match the model: tensor ${want.name} is [${got.shape.join(',')}] ${got.dtype} in the checkpoint, [${shape.join(',')}] ${want.dtype} in the model`,
      );
    }
    byName.delete(want.name);
  }
  const extra = [...byName.keys()][0];
  if (extra !== undefined)
    throw new FailedPreconditionError(
      `${path} does not match the model: unexpected tensor ${extra}`,
    );
  const files = new Map(file.tensors.map((t) => [t.name, t.data]));
  const state = trainer.state;
  const pick = (m: ReadonlyMap<string, TypedData>) =>
    new Map([...m.keys()].map((k) => [k, files.get(k) as TypedData]));
  const step = Number(file.metadata.step);
  trainer.restore({
    step,
    parameters: pick(state.parameters),
    optimizerState: pick(state.optimizerState),
  });
  return {
    step,
    seed: Number(file.metadata.seed),
    optimizer,
    config: JSON.parse(file.metadata.config ?? 'null'),
  };
}
