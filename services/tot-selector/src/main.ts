// First: instrumentation-grpc must hook require before anything loads @grpc/grpc-js.
import '@thoughtspace/service-kit/dist/instrument';
import { credentials, type ChannelCredentials } from '@grpc/grpc-js';
import { runMain, runService, type RunningService } from '@thoughtspace/service-kit';
import { grpcAgreement, grpcTreeWriter } from './clients';
import { loadConfig, type TotSelectorConfig } from './config';
import {
  createSelectorDomain,
  type HistoryRef,
  type ReasonEmbedding,
  type ThoughtSpaceAgreement,
} from './domain/selector';
import { createServer } from './server';
import { loadAgreement } from './thought-space';

/**
 * Start tot-selector: grow trees through rationale-gen (one call per tree), select leaves in the
 * Thought Space (in this process from THOUGHT_SPACE_DIR, or the encoder's
 * Agreement at ENCODER_ADDR).
 */
export function runTotSelector(env: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const config = loadConfig(env);
  return runService({
    name: 'tot-selector',
    config,
    metrics: true,
    build: async (logger, rpc) => {
      const insecure = credentials.createInsecure();
      const writer = grpcTreeWriter({ address: config.rationaleGenAddress, credentials: insecure });
      const space = await thoughtSpace(config, insecure);
      // The agreement, and in process its E2 prefetch and E1 hand-over.
      const domain = createSelectorDomain({ writeTree: writer.writeTree, ...space });
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
          thoughtSpace: space.where,
          branching: branching.join(','),
        },
        dispose: async () => {
          writer.close();
          await space.close();
        },
      };
    },
  });
}

/** The agreement tot-selector selects with: in this process, or the encoder service's. */
async function thoughtSpace(
  config: TotSelectorConfig,
  insecure: ChannelCredentials,
): Promise<{
  agreement: ThoughtSpaceAgreement;
  /** In process only: the history's E2 started while the tree is written. */
  prefetchAgreement?: (history: HistoryRef) => void;
  /** In process only: E1 of the selected reason, handed on to the scorer. */
  reasonEmbedding?: ReasonEmbedding;
  where: string;
  close(): Promise<void> | void;
}> {
  if (config.thoughtSpaceDir) {
    const local = await loadAgreement({
      dir: config.thoughtSpaceDir,
      runner: { threads: config.threads, executionProvider: config.executionProvider },
    });
    return { ...local, where: `in process (${local.modelName})` };
  }
  const remote = grpcAgreement({ address: config.encoderAddress!, credentials: insecure });
  return { ...remote, where: `encoder ${config.encoderAddress}` };
}

if (require.main === module) runMain('tot-selector', () => runTotSelector());
