// First: instrumentation-grpc must hook require before anything loads @grpc/grpc-js.
import '@thoughtspace/service-kit/dist/instrument';
import { credentials } from '@grpc/grpc-js';
import { runMain, runService, type RunningService } from '@thoughtspace/service-kit';
import { grpcAgreement, grpcRefiner } from './clients';
import { loadConfig } from './config';
import { createSelectorDomain } from './domain/selector';
import { createServer } from './server';

/** Start tot-selector: grow trees through rationale-gen, select leaves through the encoder. */
export function runTotSelector(env: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const config = loadConfig(env);
  return runService({
    name: 'tot-selector',
    config,
    metrics: true,
    build: async (logger, rpc) => {
      const insecure = credentials.createInsecure();
      const refiner = grpcRefiner({ address: config.rationaleGenAddress, credentials: insecure });
      const encoder = grpcAgreement({ address: config.encoderAddress, credentials: insecure });
      const domain = createSelectorDomain({ refine: refiner.refine, agreement: encoder.agreement });
      const branching = [config.b1, ...Array.from({ length: config.depth - 1 }, () => config.b2)];
      return {
        ...createServer({
          domain,
          defaults: { branching },
          seed: config.seed,
          logger,
          interceptors: [rpc.interceptor],
        }),
        ready: {
          rationaleGen: config.rationaleGenAddress,
          encoder: config.encoderAddress,
          branching: branching.join(','),
        },
        dispose: async () => {
          refiner.close();
          encoder.close();
        },
      };
    },
  });
}

if (require.main === module) runMain('tot-selector', () => runTotSelector());
