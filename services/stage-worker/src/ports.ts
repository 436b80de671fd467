import { createCandidateDomain, SasrecModel } from '@thoughtspace/candidate-gen';
import { inProcessCandidates, type PipelinePorts } from '@thoughtspace/pipeline';
import { FailedPreconditionError } from '@thoughtspace/runtime';
import type { StageWorkerConfig } from './config';

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

/**
 * The ports a stage needs, from the configuration: candidate-gen runs a
 * SASRec model directory (MODEL_DIR) in this process. Each stage is checked
 * at start for what it calls, so a missing variable is a start error, not a
 * stream of dead letters.
 */
export async function createWorkerPorts(config: StageWorkerConfig): Promise<WorkerPorts> {
  if (config.stage === 'candidate-gen') {
    if (!config.modelDir) {
      throw new FailedPreconditionError(
        'MODEL_DIR is required for WORKER_STAGE=candidate-gen (the SASRec model directory)',
      );
    }
    const model = await SasrecModel.load(config.modelDir, { threads: config.threads });
    const domain = createCandidateDomain({ model });
    return {
      ports: {
        candidates: inProcessCandidates(domain),
        catalogue: unconfigured('catalogue', 'DATASET'),
        reasons: unconfigured('reasons', 'RATIONALE_GEN_ADDR'),
        selection: unconfigured('selection', 'TOT_SELECTOR_ADDR'),
        scorer: unconfigured('scorer', 'SCORER_ADDR'),
      },
      dispose: () => model.dispose(),
    };
  }
  throw new FailedPreconditionError(
    `WORKER_STAGE=${config.stage}: its ports are gRPC clients of the serving stack, not available in this build`,
  );
}
