// First: instrumentation-grpc must hook require before anything loads @grpc/grpc-js.
import '@thoughtspace/service-kit/dist/instrument';
import { runMain, runService, type RunningService } from '@thoughtspace/service-kit';
import { loadConfig } from './config';
import { createCandidateDomain } from './domain/candidates';
import { createServer } from './server';
import { SasrecModel } from './serving/sasrec-model';

/** Start candidate-gen: load the SASRec model directory named by MODEL_DIR and serve it. */
export function runCandidateGen(env: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const config = loadConfig(env);
  return runService({
    name: 'candidate-gen',
    config,
    metrics: true,
    build: async (logger, rpc) => {
      const model = await SasrecModel.load(config.modelDir, {
        threads: config.threads,
        executionProvider: config.executionProvider,
        windows: config.sequenceWindows === 'on',
      });
      const domain = createCandidateDomain({
        model,
        limits: {
          maxK: config.maxK,
          maxHistory: config.maxHistory,
          maxCandidates: config.maxCandidates,
        },
      });
      return {
        ...createServer({ domain, logger, interceptors: [rpc.interceptor] }),
        ready: { model: domain.modelName, items: model.numItems, windows: model.windowLengths },
        dispose: () => model.dispose(),
      };
    },
  });
}

if (require.main === module) runMain('candidate-gen', () => runCandidateGen());
