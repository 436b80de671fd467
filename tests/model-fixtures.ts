import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPairs, saveThoughtSpace, trainThoughtSpace } from '@thoughtspace/encoder';
import { saveSasrec, trainSasrec, validateConfig } from '@thoughtspace/candidate-gen';
import { leaveOneOut, parseProtocol, prepareDataset, sequencesBefore } from '@thoughtspace/data';

/**
 * Tiny models trained on the bundled real datasets for tests that start the
 * real servers (transport tests: the models only need to load and answer).
 * Each is trained once per jest worker and saved to a temporary folder.
 */
const made = new Map<string, Promise<string>>();

function once(key: string, make: () => Promise<string>): Promise<string> {
  let p = made.get(key);
  if (!p) made.set(key, (p = make()));
  return p;
}

/** A SASRec model directory (all-beauty-2018, dim 8, 1 epoch) for candidate-gen's MODEL_DIR. */
export function tinySasrecModel(): Promise<string> {
  return once('sasrec', async () => {
    const { dataset, manifest, name } = await prepareDataset({ dataset: 'all-beauty-2018' });
    const loo = leaveOneOut(dataset);
    const config = validateConfig({
      maxLen: 10,
      hidden: 8,
      epochs: 1,
      evalEvery: 1,
      patience: 0,
      seed: 5,
    });
    const trained = await trainSasrec({
      dataset,
      datasetHash: manifest.hash,
      loo,
      config,
      validProtocol: parseProtocol('sampled:9'),
      silent: true,
    });
    const dir = await mkdtemp(join(tmpdir(), 'ts-fixture-sasrec-'));
    await saveSasrec(dir, trained, {
      datasetName: name,
      manifestHash: manifest.hash,
      itemIds: dataset.itemIds,
      userIds: dataset.userIds,
      userHistories: sequencesBefore(loo, 'test'),
    });
    await trained.trainer.dispose();
    return dir;
  });
}

/** A Thought Space model directory (luxury-beauty-2018, dim 16, 1 epoch) for the encoder's MODEL_DIR. */
export function tinyThoughtSpaceModel(): Promise<string> {
  return once('thought-space', async () => {
    const { dataset, manifest, name } = await prepareDataset({ dataset: 'luxury-beauty-2018' });
    const pairs = buildPairs(dataset, leaveOneOut(dataset)).slice(0, 220);
    const space = await trainThoughtSpace({
      pairs,
      config: {
        dim: 16,
        embeddingDim: 16,
        outputDim: 16,
        heads: 2,
        rationaleTokens: 16,
        behaviourTokens: 16,
        epochs: 1,
        groupsPerStep: 4,
      },
      silent: true,
    });
    const dir = await mkdtemp(join(tmpdir(), 'ts-fixture-encoder-'));
    await saveThoughtSpace(dir, space, {
      datasetName: name,
      manifestHash: manifest.hash,
      catalogue: dataset.items.map((it, i) => ({ id: dataset.itemIds[i], title: it.title ?? '' })),
    });
    await space.dispose();
    return dir;
  });
}
