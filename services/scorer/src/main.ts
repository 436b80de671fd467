// First: instrumentation-grpc must hook require before anything loads @grpc/grpc-js.
import '@thoughtspace/service-kit/dist/instrument';
import { prepareDataset } from '@thoughtspace/data';
import { runMain, runService, type RunningService } from '@thoughtspace/service-kit';
import { loadConfig } from './config';
import { createServer } from './server';
import { loadServedScorer } from './serving/load';

/** Start the scorer: load the catalogue, the scorer and the models its features come from. */
export function runScorer(env: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const config = loadConfig(env);
  return runService({
    name: 'scorer',
    config,
    metrics: true,
    build: async (logger, rpc) => {
      const { dataset, manifest, name } = await prepareDataset({ dataset: config.dataset, env });
      const served = await loadServedScorer({
        modelDir: config.modelDir,
        sasrecDir: config.sasrecDir,
        encoderDir: config.encoderDir,
        dataset,
        manifestHash: manifest.hash,
        threads: config.threads,
        executionProvider: config.executionProvider,
        limits: { maxCandidates: config.maxCandidates, maxHistory: config.maxHistory },
        metrics: rpc,
      });
      return {
        ...createServer({
          domain: served.domain,
          modelName: served.modelName,
          logger,
          interceptors: [rpc.interceptor],
        }),
        ready: {
          model: served.modelName,
          dataset: `${name} ${manifest.hash.slice(0, 12)}`,
        },
        dispose: async () => {
          await served.dispose();
        },
      };
    },
  });
}

if (require.main === module) runMain('scorer', () => runScorer());
