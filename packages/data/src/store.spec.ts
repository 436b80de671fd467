import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataLossError, FailedPreconditionError } from '@thoughtspace/runtime';
import type { Dataset } from './dataset';
import { prepareDataset, type Prepared } from './prepare';
import { createDatasetWriter, readDataset, STORE_FILES, writeDataset } from './store';

describe('dataset store: atomic writes and verified loads', () => {
  let root: string;
  let beauty: Prepared;
  let beauty5: Prepared;
  beforeAll(async () => {
    beauty = await prepareDataset({ dataset: 'all-beauty-2018', options: { kcore: 0 } });
    beauty5 = await prepareDataset({ dataset: 'all-beauty-2018', options: { kcore: 5 } });
  });
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ts-store-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  // sha256 per file: jest compares large Buffers element by element, slowly.
  const snapshot = (dir: string): Promise<string[]> =>
    Promise.all(
      Object.values(STORE_FILES).map(async (f) =>
        createHash('sha256')
          .update(await readFile(join(dir, f)))
          .digest('hex'),
      ),
    );

  it('records every stored file in the manifest and reads it back', async () => {
    const dir = join(root, 'beauty');
    const written = await writeDataset(dir, beauty.dataset, beauty.manifest);
    expect(Object.keys(written.files ?? {}).sort()).toEqual([
      'interactions.arrow',
      'items.arrow',
      'users.arrow',
    ]);
    const back = await readDataset(dir);
    expect(back.manifest.files).toEqual(written.files);
    expect(back.dataset.sequences).toEqual(beauty.dataset.sequences);
    expect(await readdir(root)).toEqual(['beauty']);
  });

  it('leaves the old folder whole when writing fails midway, and no staging folder behind', async () => {
    const dir = join(root, 'beauty');
    await writeDataset(dir, beauty.dataset, beauty.manifest);
    const before = await snapshot(dir);
    const writer = await createDatasetWriter({ dir });
    // interactions.arrow is written first; the items table then fails to build.
    const broken = { ...beauty5.dataset, items: undefined } as unknown as Dataset;
    await expect(writer.commit(broken, beauty5.manifest)).rejects.toThrow(/not iterable/);
    expect(await snapshot(dir)).toEqual(before);
    expect(await readdir(root)).toEqual(['beauty']);
    expect((await readDataset(dir)).manifest.hash).toBe(beauty.manifest.hash);
  });

  it('replaces a prepared folder on success', async () => {
    const dir = join(root, 'beauty');
    await writeDataset(dir, beauty.dataset, beauty.manifest);
    await writeDataset(dir, beauty5.dataset, beauty5.manifest);
    expect((await readDataset(dir)).manifest.report.final.users).toBe(136);
    expect(await readdir(root)).toEqual(['beauty']);
  });

  it('refuses, by name, a file that does not match its manifest hash (the old half-rewritten folder)', async () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    await writeDataset(a, beauty.dataset, beauty.manifest);
    await writeDataset(b, beauty5.dataset, beauty5.manifest);
    // What a non-atomic re-prepare used to leave: a new interactions.arrow beside the old manifest.
    await writeFile(
      join(a, STORE_FILES.interactions),
      await readFile(join(b, STORE_FILES.interactions)),
    );
    const run = readDataset(a);
    await expect(run).rejects.toThrow(DataLossError);
    await expect(readDataset(a)).rejects.toThrow(
      new RegExp(
        `${join(a, 'interactions.arrow')}: sha256 [0-9a-f]{12}\\.\\.\\. \\(\\d+ bytes\\) does not match`,
      ),
    );
    // Every file is checked, not only the interactions.
    await writeDataset(a, beauty.dataset, beauty.manifest);
    const items = join(a, STORE_FILES.items);
    const bytes = await readFile(items);
    bytes[bytes.length >> 1] ^= 1;
    await writeFile(items, bytes);
    await expect(readDataset(a)).rejects.toThrow(/items\.arrow: sha256 .* does not match/);
    await unlink(join(a, STORE_FILES.users));
    await writeDataset(b, beauty.dataset, beauty.manifest);
    await writeFile(items, await readFile(join(b, STORE_FILES.items)));
    await expect(readDataset(a)).rejects.toThrow(/users\.arrow: cannot read \(ENOENT\)/);
  });

  it('fails at once, in one line, when the folder cannot be created', async () => {
    await writeFile(join(root, 'file'), '');
    const dir = join(root, 'file', 'sub');
    const run = createDatasetWriter({ dir });
    await expect(run).rejects.toThrow(FailedPreconditionError);
    await expect(createDatasetWriter({ dir })).rejects.toThrow(
      `cannot write ${dir}: a path component is not a folder (at ${dir})`,
    );
    expect(existsSync(dir)).toBe(false);
  });

  it('abort removes the staging folder and leaves a missing target missing', async () => {
    const dir = join(root, 'new');
    const writer = await createDatasetWriter({ dir });
    expect((await readdir(root)).some((n) => n.startsWith('.new.tmp-'))).toBe(true);
    await writer.abort();
    expect(await readdir(root)).toEqual([]);
  });
});
