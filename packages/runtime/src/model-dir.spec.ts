import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FailedPreconditionError, NotFoundError } from './errors';
import { hashFiles, openModelDir, sha256Hex } from './model-dir';

describe('openModelDir', () => {
  it('reads files that match the manifest and refuses others, naming the path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ts-model-dir-'));
    const data = Buffer.from('weights');
    await writeFile(join(dir, 'a.bin'), data);
    await writeFile(join(dir, 'b.bin'), Buffer.from('other'));
    await writeFile(
      join(dir, 'model.json'),
      JSON.stringify({
        format: 'x/1',
        sha256: { 'a.bin': sha256Hex(data), 'b.bin': sha256Hex(data) },
      }),
    );
    const { manifest, read } = await openModelDir(dir, { format: 'x/1', what: 'test' });
    expect(manifest.format).toBe('x/1');
    expect((await read('a.bin')).toString()).toBe('weights');
    await expect(read('b.bin')).rejects.toThrow(
      new RegExp(`^${join(dir, 'b.bin')} does not match the manifest`),
    );
    await expect(read('c.bin')).rejects.toThrow(new RegExp(`^${join(dir, 'c.bin')} is missing`));
    await expect(read('c.bin')).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(openModelDir(dir, { format: 'y/1', what: 'test' })).rejects.toThrow(
      /model\.json: format x\/1, expected y\/1/,
    );
    await expect(
      openModelDir(join(dir, 'nope'), { format: 'x/1', what: 'test' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('hashFiles', () => {
  it('writes the table openModelDir checks, and names a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ts-model-dir-'));
    await writeFile(join(dir, 'a.bin'), Buffer.from('weights'));
    await writeFile(join(dir, 'b.bin'), Buffer.from('other'));
    const sha256 = await hashFiles(dir, ['a.bin', 'b.bin']);
    expect(sha256).toEqual({
      'a.bin': sha256Hex(Buffer.from('weights')),
      'b.bin': sha256Hex(Buffer.from('other')),
    });
    await writeFile(join(dir, 'model.json'), JSON.stringify({ format: 'x/1', sha256 }));
    const { read } = await openModelDir(dir, { format: 'x/1', what: 'test' });
    expect((await read('b.bin')).toString()).toBe('other');
    await expect(hashFiles(dir, ['a.bin', 'c.bin'])).rejects.toThrow(
      new RegExp(`hashFiles: ${join(dir, 'c.bin')} is missing`),
    );
  });
});
