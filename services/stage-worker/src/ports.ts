import { credentials } from '@grpc/grpc-js';
import { createCandidateDomain, SasrecModel } from '@thoughtspace/candidate-gen';
import { prepareDataset } from '@thoughtspace/data';
import { createGrpcPorts } from '@thoughtspace/gateway';
import {
  inProcessCandidates,
  inProcessCatalogue,
  type CandidatePort,
  type CataloguePort,
  type PipelinePorts,
} from '@thoughtspace/pipeline';
import { FailedPreconditionError } from '@thoughtspace/runtime';
import type { StageWorkerConfig } from './config';
import type { StageName } from './stages';

/** A port this process was not configured for: every call fails (dead-lettered), naming the variable. */
function unconfigured<T extends object>(port: string, variable: string): T {
  return new Proxy({} as T, {
    get: (_t, method) => () =>
      Promise.reject(
        new FailedPreconditionError(
          `${port}.${String(method)}: this worker has no ${port} port (set ${variable})`,
        ),
      ),
  });
}

export interface WorkerPorts {
  ports: PipelinePorts;
  dispose(): Promise<void>;
}

/** What each stage's handler calls, as the variables that provide it. */
const NEEDS: Record<StageName, string[]> = {
  'candidate-gen': ['MODEL_DIR or CANDIDATE_GEN_ADDR'],
  'tot-selector': ['DATASET', 'CANDIDATE_GEN_ADDR', 'RATIONALE_GEN_ADDR', 'TOT_SELECTOR_ADDR'],
  scorer: ['DATASET', 'SCORER_ADDR'],
};

/**
 * Refuses a configuration that lacks a variable its stage calls, naming it
 * (what a deployment's environment must provide; the chart tests call it).
 */
export function checkNeeds(config: StageWorkerConfig): void {
  const has: Record<string, boolean> = {
    'MODEL_DIR or CANDIDATE_GEN_ADDR': Boolean(config.modelDir || config.candidateGenAddress),
    DATASET: Boolean(config.dataset),
    CANDIDATE_GEN_ADDR: Boolean(config.candidateGenAddress),
    RATIONALE_GEN_ADDR: Boolean(config.rationaleGenAddress),
    TOT_SELECTOR_ADDR: Boolean(config.totSelectorAddress),
    SCORER_ADDR: Boolean(config.scorerAddress),
  };
  const missing = NEEDS[config.stage].filter((v) => !has[v]);
  if (missing.length > 0) {
    throw new FailedPreconditionError(
      `WORKER_STAGE=${config.stage} needs ${missing.join(', ')} (unset)`,
    );
  }
}

/**
 * The ports a stage needs, from the configuration: candidate-gen runs a SASRec
 * model directory in this process (MODEL_DIR) or calls candidate-gen
 * (CANDIDATE_GEN_ADDR); the reasoning and scoring stages call the serving
 * stack's gRPC services through the gateway's port adapters, with item text
 * from DATASET. A stage missing a variable it calls refuses to start naming
 * it, instead of dead-lettering every record.
 */
export async function createWorkerPorts(
  config: StageWorkerConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<WorkerPorts> {
  checkNeeds(config);
  const disposers: (() => Promise<void> | void)[] = [];
  const unused = '127.0.0.1:9';
  const grpc = createGrpcPorts({
    addresses: {
      candidateGen: config.candidateGenAddress ?? unused,
      rationaleGen: config.rationaleGenAddress ?? unused,
      totSelector: config.totSelectorAddress ?? unused,
      scorer: config.scorerAddress ?? unused,
    },
    credentials: credentials.createInsecure(),
  });
  disposers.push(() => grpc.close());

  let candidates: CandidatePort;
  if (config.stage === 'candidate-gen' && config.modelDir) {
    const model = await SasrecModel.load(config.modelDir, {
      threads: config.threads,
      windows: config.sequenceWindows === 'on',
    });
    disposers.push(() => model.dispose());
    candidates = inProcessCandidates(createCandidateDomain({ model }));
  } else {
    candidates = config.candidateGenAddress
      ? grpc.candidates
      : unconfigured('candidates', 'CANDIDATE_GEN_ADDR');
  }
  let catalogue: CataloguePort = unconfigured('catalogue', 'DATASET');
  if (config.dataset) {
    const { dataset } = await prepareDataset({ dataset: config.dataset, env });
    catalogue = inProcessCatalogue(dataset.items);
  }
  return {
    ports: {
      candidates,
      catalogue,
      reasons: config.rationaleGenAddress
        ? grpc.reasons
        : unconfigured('reasons', 'RATIONALE_GEN_ADDR'),
      selection: config.totSelectorAddress
        ? grpc.selection
        : unconfigured('selection', 'TOT_SELECTOR_ADDR'),
      scorer: config.scorerAddress ? grpc.scorer : unconfigured('scorer', 'SCORER_ADDR'),
    },
    async dispose() {
      for (const d of disposers.reverse()) await d();
    },
  };
}
