/**
 * @jest-environment <rootDir>/packages/engine/jest-environment.js
 */
import { join } from 'node:path';
import { prepareDataset } from '@thoughtspace/data';
import { averagedWordVectors, readGlove, type ItemVectors } from './item-vectors';
import { trainRqVae, validateRqVaeConfig, type RqVae } from './rqvae';

export const GLOVE = join(
  __dirname,
  '../../../../../shared/models/glove-6B-50d-10k/glove.6B.50d.10k.zip',
);

describe('RQ-VAE on all-beauty-2018 item text (GloVe averages)', () => {
  let vectors: ItemVectors;
  let a: RqVae;
  const config = validateRqVaeConfig({
    levels: 3,
    codes: 16,
    hidden: 32,
    latent: 8,
    epochs: 4,
    batch: 256,
    seed: 5,
  });

  beforeAll(async () => {
    const { dataset } = await prepareDataset({ dataset: 'all-beauty-2018' });
    vectors = averagedWordVectors(dataset.items, await readGlove(GLOVE));
    a = await trainRqVae({ vectors, config, silent: true });
  });

  it('builds item vectors from text for almost every item', () => {
    expect(vectors.dim).toBe(50);
    expect(vectors.uncovered).toBeLessThan(vectors.data.length / 50 / 20);
  });

  it('improves reconstruction and reports usage and collisions', () => {
    expect(a.reconstruction.after).toBeLessThan(a.reconstruction.before * 0.9);
    expect(a.losses[a.losses.length - 1]).toBeLessThan(a.losses[0]);
    for (const u of a.usage) expect(u).toBeGreaterThan(0.5);
    expect(a.collisions).toBeGreaterThan(0);
  });

  it('gives every item a unique ID through the collision level', () => {
    const L = config.levels + 1;
    const n = a.codes.length / L;
    const ids = new Set<string>();
    for (let i = 0; i < n; i++) {
      const id = a.codes.subarray(i * L, (i + 1) * L);
      for (let l = 0; l < config.levels; l++) expect(id[l]).toBeLessThan(config.codes);
      expect(id[config.levels]).toBeLessThan(a.collisionCodes);
      ids.add(id.join(','));
    }
    expect(ids.size).toBe(n);
  });

  it('is deterministic with a seed', async () => {
    const b = await trainRqVae({ vectors, config, silent: true });
    expect(Array.from(b.codes)).toEqual(Array.from(a.codes));
    const c = await trainRqVae({ vectors, config: { ...config, seed: 6 }, silent: true });
    expect(Array.from(c.codes)).not.toEqual(Array.from(a.codes));
  });
});
