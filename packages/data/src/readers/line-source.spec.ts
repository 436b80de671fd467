import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataLossError, InvalidArgumentError, NotFoundError } from '@thoughtspace/runtime';
import { forEachLine, isGzipFile } from './line-source';

describe('forEachLine', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'readers-lines-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function collect(path: string, encoding?: 'utf8' | 'latin1'): Promise<[string, number][]> {
    const lines: [string, number][] = [];
    await forEachLine(path, { encoding }, (line, no) => lines.push([line, no]));
    return lines;
  }

  it('yields lines with 1-based numbers, handling CRLF, a BOM and a missing final newline', async () => {
    const path = join(dir, 'plain.txt');
    writeFileSync(path, '\ufeffa b\r\n\r\nc d\ne f');
    expect(await collect(path)).toEqual([
      ['a b', 1],
      ['', 2],
      ['c d', 3],
      ['e f', 4],
    ]);
  });

  it('detects gzip by magic bytes, not by name, and hashes the bytes on disk', async () => {
    const text = 'x 1\ny 2\n';
    const packed = gzipSync(Buffer.from(text));
    const path = join(dir, 'misnamed.txt');
    writeFileSync(path, packed);
    expect(await isGzipFile(path)).toBe(true);
    const lines: string[] = [];
    const file = await forEachLine(path, {}, (line) => lines.push(line));
    expect(lines).toEqual(['x 1', 'y 2']);
    expect(file).toEqual({
      path,
      sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
      bytes: packed.length,
    });
  });

  it('decodes latin1 when asked', async () => {
    const path = join(dir, 'latin1.dat');
    writeFileSync(path, Buffer.from('1::Misérables, Les (1995)\n', 'latin1'));
    expect(await collect(path, 'latin1')).toEqual([['1::Misérables, Les (1995)', 1]]);
  });

  it('fails with NotFoundError naming a missing file, and InvalidArgumentError for a folder', async () => {
    const missing = join(dir, 'nope.txt');
    await expect(collect(missing)).rejects.toThrow(NotFoundError);
    await expect(collect(missing)).rejects.toThrow(missing);
    await expect(collect(dir)).rejects.toThrow(InvalidArgumentError);
  });

  it('reports a truncated gzip file as data loss', async () => {
    const packed = gzipSync(Buffer.from('a b\n'.repeat(10000)));
    const path = join(dir, 'truncated.gz');
    writeFileSync(path, packed.subarray(0, packed.length >> 1));
    await expect(collect(path)).rejects.toThrow(DataLossError);
  });

  it('stops and rejects with the error the line handler throws', async () => {
    const path = join(dir, 'many.txt');
    writeFileSync(path, 'l\n'.repeat(100000));
    let seen = 0;
    const run = forEachLine(path, {}, (_line, no) => {
      seen++;
      if (no === 3) throw new InvalidArgumentError('stop at 3');
    });
    await expect(run).rejects.toThrow('stop at 3');
    expect(seen).toBe(3);
  });
});
