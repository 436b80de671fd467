import { Server, type ServerInterceptor } from '@grpc/grpc-js';
import {
  HealthService,
  ScorerService,
  SERVICE_NAMES,
  type ScorerServer,
} from '@thoughtspace/proto';
import {
  createHealth,
  ServingStatus,
  unary,
  type Health,
  type Logger,
  type RpcOptions,
} from '@thoughtspace/service-kit';
import type { ScoringDomain } from './domain/scoring';

export const SERVICE_NAME = SERVICE_NAMES.scorer;

export interface ScorerDeps {
  /** Server interceptors, e.g. the Prometheus RPC latency histogram (createRpcMetrics). */
  interceptors?: ServerInterceptor[];
  domain: ScoringDomain;
  /** Named in every CandidateList, e.g. "scorer@<onnx sha256 prefix>". */
  modelName: string;
  logger?: Logger;
  health?: Health;
}

/** The gRPC server with Scorer and grpc.health.v1 attached; binds nothing (main.ts does). */
export function createServer(deps: ScorerDeps): { server: Server; health: Health } {
  const rpc: RpcOptions = { logger: deps.logger };
  const health =
    deps.health ??
    createHealth({ services: { [SERVICE_NAME]: ServingStatus.NOT_SERVING }, logger: deps.logger });
  const { domain } = deps;

  const impl: ScorerServer = {
    score: unary(async (req) => {
      domain.checkDataset(req.meta?.datasetManifestHash ?? '');
      const logits = await domain.score({
        history: (req.history?.interactions ?? []).map((i) => ({
          itemId: i.itemId,
          rating: i.rating,
          review: i.review,
        })),
        candidates: req.candidateItemIds,
        reason: req.reason === '' ? null : req.reason,
        userState: req.userState,
        reasonEmbedding: req.reasonEmbedding,
      });
      return {
        candidates: {
          candidates: req.candidateItemIds.map((itemId, k) => ({ itemId, score: logits[k] })),
          model: deps.modelName,
        },
      };
    }, rpc),
  };
  const server = new Server({
    'grpc.max_receive_message_length': 8 * 1024 * 1024,
    interceptors: deps.interceptors,
  });
  server.addService(ScorerService, impl);
  server.addService(HealthService, health.implementation);
  return { server, health };
}
