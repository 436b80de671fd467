// First: instrumentation-grpc must hook require before anything loads @grpc/grpc-js.
import '@thoughtspace/service-kit/dist/instrument';
import { leaveOneOut, prepareDataset } from '@thoughtspace/data';
import { runMain, runService, type Logger, type RunningService } from '@thoughtspace/service-kit';
import type { Registry } from 'prom-client';
import { loadConfig } from './config';
import type { Targets } from './domain/evaluate';
import { createMemoryMetricsStore, type MetricsStore } from './domain/store';
import { createServer } from './server';

/**
 * Start the evaluator: load the dataset's split targets (when DATASET is set)
 * and serve EvaluateSplit and GetMetrics. `store` is where a streaming
 * evaluator in the same process writes; a fresh empty one by default.
 */
export function runEvaluator(
  env: NodeJS.ProcessEnv = process.env,
  o: {
    store?: MetricsStore;
    /**
     * Something else this process runs beside the server (the streaming
     * evaluator): started before SERVING with the store, the Prometheus
     * registry and the logger; disposed on shutdown after the server drained.
     */
    companion?: (deps: {
      store: MetricsStore;
      registry: Registry;
      logger: Logger;
    }) => Promise<{ ready?: Record<string, unknown>; dispose(): Promise<void> }>;
  } = {},
): Promise<RunningService> {
  const config = loadConfig(env);
  return runService({
    name: 'evaluator',
    config,
    metrics: true,
    build: async (logger, rpc) => {
      const targets = config.dataset ? await loadTargets(config.dataset, env) : undefined;
      const store = o.store ?? createMemoryMetricsStore();
      const companion = await o.companion?.({ store, registry: rpc.registry, logger });
      return {
        ...createServer({
          store,
          targets,
          predictionsDir: config.predictionsDir,
          limits: { maxResamples: config.maxResamples, defaultResamples: config.defaultResamples },
          logger,
          interceptors: [rpc.interceptor],
        }),
        ready: {
          dataset: targets ? `${targets.name} ${targets.manifestHash.slice(0, 12)}` : 'none',
          testCases: targets?.splits.test.size ?? 0,
          predictionsDir: config.predictionsDir ?? 'off',
          ...companion?.ready,
        },
        dispose: async () => {
          await companion?.dispose();
        },
      };
    },
  });
}

/** user id -> target item id for the valid and test splits of a prepared dataset. */
export async function loadTargets(dataset: string, env: NodeJS.ProcessEnv): Promise<Targets> {
  const { dataset: data, manifest, name } = await prepareDataset({ dataset, env });
  const loo = leaveOneOut(data);
  const map = (cases: typeof loo.test) =>
    new Map(cases.map((c) => [data.userIds[c.user], data.itemIds[c.target]]));
  return {
    name,
    manifestHash: manifest.hash,
    splits: { valid: map(loo.valid), test: map(loo.test) },
  };
}

if (require.main === module) runMain('evaluator', () => runEvaluator());
