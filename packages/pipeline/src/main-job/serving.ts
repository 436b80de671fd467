import { join } from 'node:path';
import { saveSasrec, trainedSasrecIndex, type TrainedSasrec } from '@thoughtspace/candidate-gen';
import {
  sequencesBefore,
  type Dataset,
  type EvaluationSet,
  type LeaveOneOut,
} from '@thoughtspace/data';
import { saveThoughtSpace, type ThoughtSpace } from '@thoughtspace/encoder';
import {
  saveScorer,
  sasrecScale,
  scorerFeatureNames,
  type AgreementFeature,
  type TrainedScorer,
} from '@thoughtspace/scorer';
import { writeServingBundle, type BundleManifest } from '../bundle';

/**
 * Stage: the servable bundle under `<out>/serving` — SASRec (candidate-gen),
 * the Thought Space (encoder) and the Thought-Space scorer, each in its own
 * directory, plus bundle.json naming the dataset, seed and provider. The
 * scorer's first feature is scaled as in training (pooled over the
 * validation cases it trained on); its counts come from every sequence
 * before the test items, as at test time.
 */
export async function servingBundleStage(o: {
  out: string;
  dataset: Dataset;
  datasetName: string;
  manifestHash: string;
  loo: LeaveOneOut;
  validSet: EvaluationSet;
  seed: number;
  provider: string;
  command?: string;
  sasrec: TrainedSasrec;
  space: ThoughtSpace;
  scorer: TrainedScorer;
  /** The scorer's agreement feature (recorded in its model.json's feature names). */
  agreement?: AgreementFeature;
}): Promise<BundleManifest> {
  const index = trainedSasrecIndex(o.sasrec);
  const states = await index.userStates(o.validSet.cases.map((c) => c.history));
  const scale = sasrecScale(
    o.validSet.cases.map((_, i) => index.scores(states, i, o.validSet.candidates[i].items)),
  );
  const beforeTest = sequencesBefore(o.loo, 'test');
  const dataset = { name: o.datasetName, manifestHash: o.manifestHash };
  return writeServingBundle({
    dir: join(o.out, 'serving'),
    dataset,
    seed: o.seed,
    provider: o.provider,
    command: o.command,
    save: {
      'candidate-gen': (dir) =>
        saveSasrec(dir, o.sasrec, {
          datasetName: o.datasetName,
          manifestHash: o.manifestHash,
          itemIds: o.dataset.itemIds,
          userIds: o.dataset.userIds,
          userHistories: beforeTest,
        }),
      encoder: (dir) =>
        saveThoughtSpace(dir, o.space, {
          datasetName: o.datasetName,
          manifestHash: o.manifestHash,
          catalogue: o.dataset.items.map((it, i) => ({
            id: o.dataset.itemIds[i],
            title: it.title ?? '',
          })),
        }),
      scorer: (dir) =>
        saveScorer(dir, o.scorer, {
          features: scorerFeatureNames(o.agreement),
          dataset,
          sasrecStd: scale,
          behaviourMaxItems: 20,
          trainedWith: 'thought-space',
          fitSequences: beforeTest,
        }),
    },
  });
}
