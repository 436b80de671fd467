// First: instrumentation-grpc must hook require before anything loads @grpc/grpc-js.
import '@thoughtspace/service-kit/dist/instrument';
import { credentials } from '@grpc/grpc-js';
import { prepareDataset } from '@thoughtspace/data';
import { runMain, runService, type RunningService } from '@thoughtspace/service-kit';
import { createGrpcPorts } from './adapters/grpc';
import { loadConfig } from './config';
import { createCatalogue } from './domain/catalogue';
import { createRecommender } from './domain/recommend';
import { createServer } from './server';

/** Start the gateway: load the catalogue, connect the four downstream services, serve Recommend. */
export function runGateway(env: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const config = loadConfig(env);
  return runService({
    name: 'gateway',
    config,
    metrics: true,
    build: async (logger, rpc) => {
      const { dataset, manifest, name } = await prepareDataset({ dataset: config.dataset, env });
      const catalogue = createCatalogue({ dataset, name, manifestHash: manifest.hash });
      const ports = createGrpcPorts({
        addresses: {
          candidateGen: config.candidateGenAddress,
          rationaleGen: config.rationaleGenAddress,
          totSelector: config.totSelectorAddress,
          scorer: config.scorerAddress,
        },
        credentials: credentials.createInsecure(),
        manifestHash: manifest.hash,
      });
      const recommender = createRecommender({
        ports,
        catalogue,
        defaults: { candidates: config.candidates },
        budgets: { reasoningMs: config.reasoningBudgetMs, scoreReserveMs: config.scoreReserveMs },
      });
      return {
        ...createServer({
          recommender,
          catalogue,
          defaultDeadlineMs: config.defaultDeadlineMs,
          logger,
          interceptors: [rpc.interceptor],
          metrics: rpc,
        }),
        ready: {
          dataset: `${name} ${manifest.hash.slice(0, 12)}`,
          candidateGen: config.candidateGenAddress,
          rationaleGen: config.rationaleGenAddress,
          totSelector: config.totSelectorAddress,
          scorer: config.scorerAddress,
        },
        dispose: async () => {
          ports.close();
        },
      };
    },
  });
}

if (require.main === module) runMain('gateway', () => runGateway());
