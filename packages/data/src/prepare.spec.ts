import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareDataset } from './prepare';
import { readDataset, writeDataset } from './store';

// Figures from ../shared/data/README.md, computed independently of this code.
describe('prepareDataset on the bundled real data', () => {
  it('games-sasrec-2014 with iterative 5-core: 24,303 / 10,672 / 231,780', async () => {
    const { manifest } = await prepareDataset({
      dataset: 'games-sasrec-2014',
      options: { kcore: 5, passes: 'iterative' },
    });
    expect(manifest.report.read).toEqual({ users: 31013, items: 23715, interactions: 287107 });
    expect(manifest.report.final).toEqual({ users: 24303, items: 10672, interactions: 231780 });
    expect(manifest.reader).toBe('pairs');
    expect(manifest.sources).toHaveLength(1);
    expect(manifest.sources[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('luxury-beauty-2018 de-duplicated without k-core: 9,930 / 6,141 / 54,164', async () => {
    const { manifest, dataset } = await prepareDataset({
      dataset: 'luxury-beauty-2018',
      options: { kcore: 0 },
    });
    expect(manifest.report.final).toEqual({ users: 9930, items: 6141, interactions: 54164 });
    expect(manifest.report.duplicatesDropped).toBe(63953 - 54164);
    // Titles are unescaped and attached.
    const idx = dataset.itemIds.indexOf('1');
    expect(dataset.items[idx].title).toContain('Crabtree & Evelyn');
  });

  it('luxury-beauty-2018 and all-beauty-2018 with iterative 5-core', async () => {
    const lux = await prepareDataset({
      dataset: 'luxury-beauty-2018',
      options: { kcore: 5, passes: 'iterative' },
    });
    expect(lux.manifest.report.final).toEqual({ users: 1907, items: 910, interactions: 19205 });
    const beauty = await prepareDataset({ dataset: 'all-beauty-2018', options: { kcore: 0 } });
    expect(beauty.manifest.report.final).toEqual({ users: 2169, items: 1854, interactions: 8599 });
    const beauty5 = await prepareDataset({ dataset: 'all-beauty-2018', options: { kcore: 5 } });
    expect(beauty5.manifest.report.final).toEqual({ users: 136, items: 24, interactions: 681 });
  });

  it('orders Amazon reviews by time and keeps ratings and review text', async () => {
    const { dataset, manifest } = await prepareDataset({ dataset: 'all-beauty-2018-reviews' });
    expect(manifest.report.orderedBy).toBe('timestamp');
    expect(dataset.ratings).toBeDefined();
    expect(dataset.reviews).toBeDefined();
    for (const ts of dataset.timestamps ?? [])
      for (let i = 1; i < ts.length; i++) expect(ts[i]).toBeGreaterThanOrEqual(ts[i - 1]);
  });

  it('the manifest hash names the data: same input, same hash; other options, other hash', async () => {
    const a = await prepareDataset({ dataset: 'all-beauty-2018' });
    const b = await prepareDataset({ dataset: 'all-beauty-2018' });
    const c = await prepareDataset({ dataset: 'all-beauty-2018', options: { kcore: 2 } });
    expect(a.manifest.hash).toBe(b.manifest.hash);
    expect(c.manifest.hash).not.toBe(a.manifest.hash);
  });

  it('round-trips through the Arrow store and loads a processed folder by path', async () => {
    const prepared = await prepareDataset({ dataset: 'ml-100k' });
    const dir = await mkdtemp(join(tmpdir(), 'ts-store-'));
    await writeDataset(dir, prepared.dataset, prepared.manifest);
    const back = await readDataset(dir);
    expect(back.manifest.hash).toBe(prepared.manifest.hash);
    expect(back.dataset.userIds).toEqual(prepared.dataset.userIds);
    expect(back.dataset.itemIds).toEqual(prepared.dataset.itemIds);
    expect(back.dataset.sequences).toEqual(prepared.dataset.sequences);
    expect(back.dataset.timestamps).toEqual(prepared.dataset.timestamps);
    expect(back.dataset.ratings).toEqual(prepared.dataset.ratings);
    expect(back.dataset.items).toEqual(prepared.dataset.items);
    const viaPath = await prepareDataset({ dataset: dir });
    expect(viaPath.manifest.hash).toBe(prepared.manifest.hash);
    await expect(prepareDataset({ dataset: dir, options: { kcore: 3 } })).rejects.toThrow(
      /already processed/,
    );
  });

  it('detects the format of a raw folder given by path (global defaults: iterative 5-core)', async () => {
    const dir = join(__dirname, '../../../../shared/data/scientific-2018');
    const raw = await prepareDataset({ dataset: dir, options: { kcore: 0 } });
    expect(raw.manifest.reader).toBe('unisrec');
    expect(raw.manifest.report.final).toEqual({ users: 2928, items: 1585, interactions: 19568 });
    const cored = await prepareDataset({ dataset: dir });
    expect(cored.manifest.options.kcore).toBe(5);
    expect(cored.manifest.report.final.users).toBeLessThan(2928);
  });

  it('gives clear errors for unknown datasets and missing data roots', async () => {
    await expect(prepareDataset({ dataset: 'no-such-dataset' })).rejects.toThrow(
      /neither a dataset preset/,
    );
    await expect(
      prepareDataset({
        dataset: 'games-sasrec-2014',
        env: { THOUGHTSPACE_DATA: '/nonexistent', XDG_CACHE_HOME: '/nonexistent' },
      }),
    ).resolves.toBeDefined(); // still found beside the repository
    await expect(
      prepareDataset({ dataset: 'luxury-beauty-2018', options: { kcore: 500 } }),
    ).rejects.toThrow(/empty after filtering/);
  });
});
