/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FailedPreconditionError, InvalidArgumentError } from '@thoughtspace/runtime';
import { Graph } from './internal/graph';
import { emitModel } from './internal/model';
import { add, matmul } from './ops';
import { ModelRunner } from './runner';

function model() {
  const g = new Graph();
  const x = g.input('x', ['batch', 2]);
  const w = g.constant([1, 2, 3, 4], [2, 2]);
  return emitModel({ outputs: { y: add(matmul(x, w), 1) }, mode: 'infer' }).bytes;
}

describe('ModelRunner', () => {
  test('runs feeds with a dynamic batch axis and writes into pre-allocated outputs', async () => {
    const runner = await ModelRunner.create({ model: model(), threads: 1 });
    expect(runner.inputNames).toEqual(['x']);
    expect(runner.outputNames).toEqual(['y']);
    const x = { dtype: 'float32' as const, dims: [1, 2], data: Float32Array.from([1, 1]) };
    expect(Array.from((await runner.run({ x })).y.data as Float32Array)).toEqual([5, 7]);
    const into = { y: { dtype: 'float32' as const, dims: [2, 2], data: new Float32Array(4) } };
    await runner.run(
      { x: { ...x, dims: [2, 2], data: Float32Array.from([1, 0, 0, 1]) } },
      { into },
    );
    expect(Array.from(into.y.data)).toEqual([2, 3, 4, 5]);
    await runner.dispose();
  });

  test('a session without thread spinning computes the same outputs', async () => {
    const x = { dtype: 'float32' as const, dims: [2, 2], data: Float32Array.from([1, 0, 0.5, 2]) };
    const outputs = [];
    for (const spinning of [true, false]) {
      const runner = await ModelRunner.create({ model: model(), threads: 2, spinning });
      outputs.push(Array.from((await runner.run({ x })).y.data as Float32Array));
      await runner.dispose();
    }
    expect(outputs[1]).toEqual([2, 3, 7.5, 10]);
    expect(outputs[1]).toEqual(outputs[0]);
  });

  test('rejects feeds whose data does not fit their dims', async () => {
    const runner = await ModelRunner.create({ model: model(), threads: 1 });
    await expect(
      runner.run({ x: { dtype: 'float32', dims: [3, 2], data: new Float32Array(4) } }),
    ).rejects.toThrow(InvalidArgumentError);
    await runner.dispose();
  });

  test('an unavailable execution provider fails with a typed error naming the install flag', async () => {
    const create = ModelRunner.create({ model: model(), executionProvider: 'cuda' });
    await expect(create).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(ModelRunner.create({ model: model(), executionProvider: 'cuda' })).rejects.toThrow(
      /cuda12/,
    );
  });

  test('unknown execution providers are rejected', async () => {
    await expect(
      ModelRunner.create({ model: model(), executionProvider: 'tpu' as 'cpu' }),
    ).rejects.toThrow(InvalidArgumentError);
  });

  test('a truncated .onnx file is reported naming the file and its size', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ts-runner-'));
    const path = join(dir, 'model.onnx');
    const bytes = model();
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const half = Math.floor(bytes.length / 2);
    await expect(ModelRunner.create({ model: path })).rejects.toThrow(
      new RegExp(`could not load ${path.replace(/[.]/g, '\\.')} \\(${half} bytes\\) on cpu`),
    );
    // Bytes read by the caller: the caller names the file through `source`.
    const read = new Uint8Array(await readFile(path));
    const err = await ModelRunner.create({ model: read, source: path }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(FailedPreconditionError);
    expect((err as Error).message).toContain(`${path} (${half} bytes)`);
  });
});
