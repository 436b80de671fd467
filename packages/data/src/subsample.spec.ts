import { prepareDataset } from './prepare';
import { sampleUsers } from './subsample';

describe('sampleUsers', () => {
  it('keeps a seeded sample of whole users of all-beauty-2018, every item kept', async () => {
    const full = await prepareDataset({ dataset: 'all-beauty-2018' });
    const a = sampleUsers(full, { maxUsers: 500, seed: 1 });
    const b = sampleUsers(full, { maxUsers: 500, seed: 1 });
    const c = sampleUsers(full, { maxUsers: 500, seed: 2 });
    expect(a.dataset.userIds).toHaveLength(500);
    expect(a.dataset.userIds).toEqual(b.dataset.userIds);
    expect(a.dataset.userIds).not.toEqual(c.dataset.userIds);
    expect(a.manifest.hash).toBe(b.manifest.hash);
    expect(a.manifest.hash).not.toBe(full.manifest.hash);
    expect(a.manifest.hash).not.toBe(c.manifest.hash);
    expect(a.dataset.itemIds).toBe(full.dataset.itemIds);
    expect(a.sample).toEqual({ users: 500, of: 2169, seed: 1, fromManifest: full.manifest.hash });
    // Each kept user keeps their whole sequence, in the original user order.
    const index = new Map(full.dataset.userIds.map((u, i) => [u, i]));
    let last = -1;
    a.dataset.userIds.forEach((u, i) => {
      const j = index.get(u) as number;
      expect(j).toBeGreaterThan(last);
      last = j;
      expect(Array.from(a.dataset.sequences[i])).toEqual(Array.from(full.dataset.sequences[j]));
    });
    const interactions = a.dataset.sequences.reduce((s, q) => s + q.length, 0);
    expect(a.manifest.report.final).toEqual({ users: 500, items: 1854, interactions });
  });

  it('leaves a dataset at or under the cap unchanged, and rejects a bad cap by name', async () => {
    const full = await prepareDataset({ dataset: 'all-beauty-2018' });
    expect(sampleUsers(full, { maxUsers: 0, seed: 1 })).toBe(full);
    expect(sampleUsers(full, { maxUsers: 2169, seed: 1 })).toBe(full);
    expect(() => sampleUsers(full, { maxUsers: -1, seed: 1 })).toThrow(/maxUsers/);
    expect(() => sampleUsers(full, { maxUsers: 1.5, seed: 1 })).toThrow(/maxUsers/);
  });
});
