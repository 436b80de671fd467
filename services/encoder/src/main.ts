// First: instrumentation-grpc must hook require before anything loads @grpc/grpc-js.
import '@thoughtspace/service-kit/dist/instrument';
import { runMain, runService, type RunningService } from '@thoughtspace/service-kit';
import { loadConfig } from './config';
import { createEncoderDomain } from './domain/encoder';
import { createServer } from './server';
import { ThoughtSpaceModel } from './serving/thought-space-model';

/** Start encoder: load the Thought Space model directory named by the config and serve E1/E2. */
export function runEncoder(env: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const config = loadConfig(env);
  return runService({
    name: 'encoder',
    config,
    metrics: true,
    build: async (logger, rpc) => {
      const model = await ThoughtSpaceModel.load(config.modelDir, {
        threads: config.threads,
        executionProvider: config.executionProvider,
      });
      const domain = createEncoderDomain({
        model,
        limits: {
          maxTexts: config.maxTexts,
          maxTextChars: config.maxTextChars,
          maxHistory: config.maxHistory,
        },
      });
      return {
        ...createServer({ domain, logger, interceptors: [rpc.interceptor] }),
        ready: { model: domain.modelName, dim: model.dim },
        dispose: () => model.dispose(),
      };
    },
  });
}

if (require.main === module) runMain('encoder', () => runEncoder());
