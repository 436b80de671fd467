/**
 * The smallest real serving stack for cross-service tests: SASRec, the
 * Thought-Space encoder and the scorer trained for a few seconds on
 * all-beauty-2018, written as a servable bundle, and the seven servers
 * (candidate-gen, rationale-gen with the embedded provider, encoder,
 * tot-selector, scorer, evaluator, gateway) on loopback gRPC in this process.
 */
import { credentials, type Server } from '@grpc/grpc-js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCandidateDomain,
  createServer as candidateGenServer,
  saveSasrec,
  SasrecModel,
  trainSasrec,
  validateConfig,
} from '@thoughtspace/candidate-gen';
import {
  buildEvaluationSet,
  leaveOneOut,
  parseProtocol,
  prepareDataset,
  sequencesBefore,
  type Dataset,
} from '@thoughtspace/data';
import {
  buildPairs,
  createEncoderDomain,
  createServer as encoderServer,
  saveThoughtSpace,
  ThoughtSpaceModel,
  trainThoughtSpace,
} from '@thoughtspace/encoder';
import { createMemoryMetricsStore, createServer as evaluatorServer } from '@thoughtspace/evaluator';
import {
  createCatalogue,
  createGrpcPorts,
  createRecommender,
  createServer as gatewayServer,
  type Budgets,
} from '@thoughtspace/gateway';
import { readServingBundle, writeServingBundle } from '@thoughtspace/pipeline';
import {
  createProvider,
  createRationaleService,
  createServer as rationaleGenServer,
} from '@thoughtspace/rationale-gen';
import {
  createFeatureBuilder,
  createServer as scorerServer,
  FEATURE_NAMES,
  loadServedScorer,
  saveScorer,
  trainScorer,
  type ScorerExample,
} from '@thoughtspace/scorer';
import {
  createRpcMetrics,
  startServer,
  type Health,
  type Logger,
  type RpcMetrics,
} from '@thoughtspace/service-kit';
import {
  createSelectorDomain,
  createServer as totSelectorServer,
  grpcTreeWriter,
  loadAgreement,
} from '@thoughtspace/tot-selector';

export const STACK_DATASET = 'all-beauty-2018';
export const STACK_SEED = 7;

export interface TrainedBundle {
  dir: string;
  dataset: Dataset;
  manifestHash: string;
  /** Test-split users with their history before the test item (never the target). */
  users: { userId: string; history: string[] }[];
}

/** Train tiny models on all-beauty-2018 and write them as a servable bundle. */
export async function trainTinyBundle(): Promise<TrainedBundle> {
  const { dataset, manifest, name } = await prepareDataset({ dataset: STACK_DATASET });
  const loo = leaveOneOut(dataset);
  const dir = await mkdtemp(join(tmpdir(), 'ts-stack-'));
  const sasrecConfig = validateConfig({
    maxLen: 20,
    hidden: 16,
    epochs: 2,
    evalEvery: 2,
    patience: 0,
    seed: STACK_SEED,
  });
  const sasrec = await trainSasrec({
    dataset,
    datasetHash: manifest.hash,
    loo,
    config: sasrecConfig,
    validProtocol: parseProtocol('sampled:9'),
    silent: true,
  });
  const histories = sequencesBefore(loo, 'test');
  const pairs = buildPairs(dataset, loo).slice(0, 400);
  const space = await trainThoughtSpace({
    pairs,
    config: {
      dim: 16,
      embeddingDim: 16,
      outputDim: 16,
      heads: 2,
      rationaleTokens: 16,
      behaviourTokens: 32,
      epochs: 1,
      groupsPerStep: 4,
    },
    silent: true,
  });
  await saveSasrec(join(dir, 'candidate-gen'), sasrec, {
    datasetName: name,
    manifestHash: manifest.hash,
    itemIds: dataset.itemIds,
    userIds: dataset.userIds,
    userHistories: histories,
  });
  await saveThoughtSpace(join(dir, 'encoder'), space, {
    datasetName: name,
    manifestHash: manifest.hash,
    catalogue: dataset.items.map((it, i) => ({ id: dataset.itemIds[i], title: it.title ?? '' })),
  });
  await sasrec.trainer.dispose();
  await space.dispose();

  // The scorer trains on valid-split cases with the embedded provider's base
  // reasons, through the same feature builder that serves requests.
  const model = await SasrecModel.load(join(dir, 'candidate-gen'), { threads: 1 });
  const encoder = await ThoughtSpaceModel.load(join(dir, 'encoder'), { threads: 1 });
  const provider = await createProvider({ kind: 'embedded' });
  const fit = sequencesBefore(loo, 'valid');
  const valid = buildEvaluationSet({
    dataset,
    datasetHash: manifest.hash,
    split: 'valid',
    protocol: parseProtocol('sampled:9'),
    seed: STACK_SEED,
    loo,
  });
  const cases = valid.cases.slice(0, 240);
  const builder = (sasrecStd: number) =>
    createFeatureBuilder({
      layout: { sasrecStd, behaviourMaxItems: 20 },
      fit,
      itemIds: dataset.itemIds,
      catalogue: dataset.items,
      sasrec: model,
      encoder,
    });
  const requests = await Promise.all(
    cases.map(async (c, i) => {
      const history = Array.from(c.history, (k) => ({ item: dataset.items[k] }));
      const base = await provider.generate({ kind: 'base', history, similarItems: [] });
      return {
        history: Array.from(c.history, (k) => ({ itemId: dataset.itemIds[k] })),
        candidates: Array.from(valid.candidates[i].items, (k) => dataset.itemIds[k]),
        reason: base.reason,
        label: valid.candidates[i].targetIndex,
      };
    }),
  );
  const raw = builder(1);
  let sq = 0;
  let n = 0;
  for (const r of requests) {
    const { features } = await raw({ ...r, reason: null });
    for (let k = 0; k < r.candidates.length; k++) {
      sq += features[k * FEATURE_NAMES.length] ** 2;
      n++;
    }
  }
  const sasrecStd = Math.sqrt(sq / n) || 1;
  const build = builder(sasrecStd);
  const examples: ScorerExample[] = [];
  for (const r of requests) {
    const inputs = await build(r);
    examples.push({ ...inputs, label: r.label });
  }
  const shape = {
    candidates: 10,
    features: FEATURE_NAMES.length,
    reasonDim: encoder.dim,
    itemDim: model.hidden,
  };
  const trained = await trainScorer({
    examples,
    shape,
    config: { epochs: 3, hidden: 8, threads: 1, seed: STACK_SEED },
    silent: true,
  });
  await writeServingBundle({
    dir,
    dataset: { name, manifestHash: manifest.hash },
    seed: STACK_SEED,
    provider: provider.name,
    save: {
      // Already written above (the scorer's features need the loaded models).
      'candidate-gen': async () => undefined,
      encoder: async () => undefined,
      scorer: (scorerDir) =>
        saveScorer(scorerDir, trained, {
          features: [...FEATURE_NAMES],
          dataset: { name, manifestHash: manifest.hash },
          sasrecStd,
          behaviourMaxItems: 20,
          trainedWith: 'base-only (embedded provider)',
          fitSequences: fit,
        }),
    },
  });
  await trained.trainer.dispose();
  await model.dispose();
  await encoder.dispose();
  await provider.dispose();
  const users = loo.test.slice(0, 50).map((c) => ({
    userId: dataset.userIds[c.user],
    history: Array.from(histories[c.user], (k) => dataset.itemIds[k]),
  }));
  return { dir, dataset, manifestHash: manifest.hash, users };
}

export const STACK_SERVICES = [
  'candidate-gen',
  'rationale-gen',
  'encoder',
  'tot-selector',
  'scorer',
  'evaluator',
  'gateway',
] as const;
export type StackService = (typeof STACK_SERVICES)[number];

export interface Stack {
  addresses: Record<StackService, string>;
  /** The gateway's and the scorer's Prometheus registries (what their /metrics serve). */
  metrics: Record<'gateway' | 'scorer', RpcMetrics>;
  /** Stop one server now (forceShutdown): its clients see UNAVAILABLE. */
  kill(service: StackService): void;
  close(): Promise<void>;
}

/** Start the seven servers from a bundle, each on its own loopback port, in this process. */
export async function startStack(
  bundle: TrainedBundle,
  o: {
    budgets?: Partial<Budgets>;
    /** A logger per service (default: none). */
    logger?: (service: StackService) => Logger;
  } = {},
): Promise<Stack> {
  const logger = (name: StackService) => o.logger?.(name);
  const { modelDirs } = await readServingBundle(bundle.dir);
  const insecure = credentials.createInsecure();
  const servers = new Map<StackService, Server>();
  const addresses = {} as Record<StackService, string>;
  const disposers: (() => Promise<void> | void)[] = [];
  const start = async (name: StackService, built: { server: Server; health: Health }) => {
    const { port } = await startServer({ server: built.server, host: '127.0.0.1', port: 0 });
    built.health.setAllServing();
    servers.set(name, built.server);
    addresses[name] = `127.0.0.1:${port}`;
  };

  // As candidate-gen's main.ts serves it (SEQUENCE_WINDOWS=on by default).
  const sasrec = await SasrecModel.load(modelDirs['candidate-gen'], { threads: 1, windows: true });
  disposers.push(() => sasrec.dispose());
  await start(
    'candidate-gen',
    candidateGenServer({
      logger: logger('candidate-gen'),
      domain: createCandidateDomain({
        model: sasrec,
        limits: { maxK: 200, maxHistory: 200, maxCandidates: 1000 },
      }),
    }),
  );
  const embedded = await createProvider({ kind: 'embedded' });
  disposers.push(() => embedded.dispose());
  const rationale = createRationaleService({
    providers: { embedded },
    defaultProvider: 'embedded',
    catalogue: new Map(bundle.dataset.items.map((it) => [it.id, it])),
  });
  await start(
    'rationale-gen',
    rationaleGenServer({ service: rationale, logger: logger('rationale-gen') }),
  );
  const encoderModel = await ThoughtSpaceModel.load(modelDirs.encoder, { threads: 1 });
  disposers.push(() => encoderModel.dispose());
  await start(
    'encoder',
    encoderServer({
      domain: createEncoderDomain({ model: encoderModel }),
      logger: logger('encoder'),
    }),
  );
  const writer = grpcTreeWriter({ address: addresses['rationale-gen'], credentials: insecure });
  // The Thought Space in tot-selector's process, as `up` runs it (decision 0030).
  const agreement = await loadAgreement({ dir: modelDirs.encoder, runner: { threads: 1 } });
  disposers.push(
    () => writer.close(),
    () => agreement.close(),
  );
  await start(
    'tot-selector',
    totSelectorServer({
      logger: logger('tot-selector'),
      domain: createSelectorDomain({ writeTree: writer.writeTree, ...agreement }),
    }),
  );
  const metrics = {
    gateway: createRpcMetrics({ service: 'gateway', defaults: false }),
    scorer: createRpcMetrics({ service: 'scorer', defaults: false }),
  };
  const scorer = await loadServedScorer({
    modelDir: modelDirs.scorer,
    sasrecDir: modelDirs['candidate-gen'],
    encoderDir: modelDirs.encoder,
    dataset: bundle.dataset,
    manifestHash: bundle.manifestHash,
    threads: 1,
    metrics: metrics.scorer,
  });
  disposers.push(() => scorer.dispose());
  await start(
    'scorer',
    scorerServer({ domain: scorer.domain, modelName: scorer.modelName, logger: logger('scorer') }),
  );
  await start('evaluator', evaluatorServer({ store: createMemoryMetricsStore() }));
  const catalogue = createCatalogue({
    dataset: bundle.dataset,
    name: STACK_DATASET,
    manifestHash: bundle.manifestHash,
  });
  const ports = createGrpcPorts({
    addresses: {
      candidateGen: addresses['candidate-gen'],
      rationaleGen: addresses['rationale-gen'],
      totSelector: addresses['tot-selector'],
      scorer: addresses.scorer,
    },
    credentials: insecure,
    manifestHash: bundle.manifestHash,
  });
  disposers.push(() => ports.close());
  await start(
    'gateway',
    gatewayServer({
      logger: logger('gateway'),
      recommender: createRecommender({
        ports,
        catalogue,
        defaults: { candidates: 20 },
        budgets: o.budgets,
      }),
      catalogue,
      metrics: metrics.gateway,
    }),
  );
  return {
    addresses,
    metrics,
    kill(service) {
      servers.get(service)?.forceShutdown();
    },
    async close() {
      for (const s of servers.values()) s.forceShutdown();
      for (const d of disposers.reverse()) await d();
    },
  };
}
