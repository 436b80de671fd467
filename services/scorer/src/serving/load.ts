import { SasrecModel } from '@thoughtspace/candidate-gen';
import type { Dataset } from '@thoughtspace/data';
import { ModelRunner, type ExecutionProvider } from '@thoughtspace/engine';
import { ThoughtSpaceModel } from '@thoughtspace/encoder';
import { FailedPreconditionError } from '@thoughtspace/runtime';
import { NO_COUNTER, type RpcMetrics } from '@thoughtspace/service-kit';
import {
  createFeatureBuilder,
  createScoringDomain,
  itemBehaviours,
  type ScoringDomain,
  type ScoringLimits,
} from '../domain/scoring';
import { agreementOf, AGREEMENT_FEATURES, scorerFeatureNames } from '../features';
import { loadScorer } from './artifact';

export interface ServedScorer {
  domain: ScoringDomain;
  modelName: string;
  dispose(): Promise<void>;
}

/**
 * Load the scorer with the SASRec and Thought-Space models its features come
 * from; all three must name the catalogue's dataset, or loading refuses with
 * the directory in the message.
 */
export async function loadServedScorer(o: {
  modelDir: string;
  sasrecDir: string;
  encoderDir: string;
  dataset: Dataset;
  manifestHash: string;
  threads?: number;
  executionProvider?: ExecutionProvider;
  limits?: Partial<ScoringLimits>;
  /**
   * Where `thoughtspace_scorer_recomputed_total{input}` counts requests whose
   * handed-over vector named another model, on /metrics (main.ts passes
   * runService's); absent, nothing counts.
   */
  metrics?: Pick<RpcMetrics, 'counter'>;
}): Promise<ServedScorer> {
  const loaded = await loadScorer(o.modelDir);
  const recomputed =
    o.metrics?.counter({
      name: 'thoughtspace_scorer_recomputed_total',
      help: 'Score requests that handed over a user state or reason embedding of another model, so the scorer ran its own, by input',
      labelNames: ['input'],
    }) ?? NO_COUNTER;
  const runnerOptions = { threads: o.threads, executionProvider: o.executionProvider };
  const [runner, sasrec, encoder] = await Promise.all([
    ModelRunner.create({ model: loaded.onnx, name: 'scorer', ...runnerOptions }),
    SasrecModel.load(o.sasrecDir, runnerOptions),
    ThoughtSpaceModel.load(o.encoderDir, runnerOptions),
  ]);
  const dispose = async () => {
    await runner.dispose();
    await sasrec.dispose();
    await encoder.dispose();
  };
  try {
    const hashes: [string, string][] = [
      [o.modelDir, loaded.manifest.dataset.manifestHash],
      [o.sasrecDir, sasrec.manifest.dataset.manifestHash],
    ];
    for (const [dir, hash] of hashes) {
      if (hash !== o.manifestHash) {
        throw new FailedPreconditionError(
          `${dir} was trained on dataset ${hash.slice(0, 12)}, the catalogue is ${o.manifestHash.slice(0, 12)}`,
        );
      }
    }
    const { shape } = loaded.manifest;
    const agreement = agreementOf(loaded.manifest.features);
    if (agreement === undefined || shape.features !== loaded.manifest.features.length) {
      const known = AGREEMENT_FEATURES.map((a) => scorerFeatureNames(a).join(', '));
      throw new FailedPreconditionError(
        `${o.modelDir} has features [${loaded.manifest.features.join(', ')}] (${shape.features} per candidate); this scorer serves ${known.map((k) => `[${k}]`).join(' or ')}`,
      );
    }
    if (sasrec.hidden !== shape.itemDim || encoder.dim !== shape.reasonDim) {
      throw new FailedPreconditionError(
        `${o.modelDir} expects ${shape.itemDim}-d SASRec items and ${shape.reasonDim}-d reasons; ${o.sasrecDir} has ${sasrec.hidden}, ${o.encoderDir} has ${encoder.dim}`,
      );
    }
    const catalogue = sasrec.manifest.itemIds.map((_, i) => o.dataset.items[i]);
    const maxItems = loaded.manifest.behaviourMaxItems;
    const build = createFeatureBuilder({
      layout: { sasrecStd: loaded.manifest.sasrecStd, behaviourMaxItems: maxItems, agreement },
      fit: loaded.fit,
      itemIds: sasrec.manifest.itemIds,
      catalogue,
      sasrec,
      encoder,
      limits: o.limits,
      onRecompute: (input) => recomputed.add(1, { input }),
      // The candidate agreement depends on the item only: encode the catalogue once, here.
      itemBehaviours:
        agreement === 'candidate'
          ? await itemBehaviours({ catalogue, encoder, maxItems })
          : undefined,
    });
    const domain = createScoringDomain({ manifest: loaded.manifest, runner, build });
    return {
      domain,
      modelName: `scorer@${loaded.manifest.sha256[loaded.manifest.files.onnx].slice(0, 12)}`,
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
