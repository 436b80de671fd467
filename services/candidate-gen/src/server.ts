import { Server, type ServerInterceptor } from '@grpc/grpc-js';
import {
  CandidateGenService,
  type CandidateGenServer,
  type UserHistory,
  type RequestMeta,
} from '@thoughtspace/proto';
import {
  createHealth,
  requireMessage,
  ServingStatus,
  unary,
  type Health,
  type Logger,
  type RpcOptions,
} from '@thoughtspace/service-kit';
import type { CandidateDomain } from './domain/candidates';

export interface CandidateGenDeps {
  domain: CandidateDomain;
  /** Server interceptors, e.g. the Prometheus RPC latency histogram (createRpcMetrics). */
  interceptors?: ServerInterceptor[];
  logger?: Logger;
  health?: Health;
}

export const SERVICE_NAME = 'thoughtspace.v1.CandidateGen';

/** The gRPC server with CandidateGen and grpc.health.v1 attached; binds nothing (main.ts does). */
export function createServer(deps: CandidateGenDeps): { server: Server; health: Health } {
  const rpc: RpcOptions = { logger: deps.logger };
  const health =
    deps.health ??
    createHealth({ services: { [SERVICE_NAME]: ServingStatus.NOT_SERVING }, logger: deps.logger });
  const { domain } = deps;
  const prelude = (meta: RequestMeta | undefined, history: UserHistory | undefined): string[] => {
    domain.checkDataset(meta?.datasetManifestHash ?? '');
    const h = requireMessage({ history }, 'history');
    return h.interactions.map((i) => i.itemId);
  };
  const candidates = (list: { itemId: string; score: number }[]) => ({
    candidates: { candidates: list, model: domain.modelName },
  });

  const impl: CandidateGenServer = {
    generateCandidates: unary(async (req) => {
      const history = prelude(req.meta, req.history);
      const query = req.similarUsers;
      // Every answer comes from one user state (the domain memoizes it per history).
      const [list, similarUsers, userState] = await Promise.all([
        domain.generate({ history, k: req.k, exclude: req.excludeItemIds, model: req.model }),
        query
          ? domain.similarUsers({
              history,
              k: query.k,
              itemsPerUser: query.itemsPerUser,
              userId: req.history?.userId || undefined,
              model: req.model,
              field: 'similar_users.',
            })
          : [],
        req.returnUserState
          ? domain
              .userEmbedding(history)
              .then((state) => ({ model: domain.userStateModel, values: Array.from(state) }))
          : undefined,
      ]);
      return { ...candidates(list), similarUsers, userState };
    }, rpc),
    scoreCandidates: unary(
      async (req) =>
        candidates(
          await domain.score({
            history: prelude(req.meta, req.history),
            candidates: req.candidateItemIds,
            model: req.model,
          }),
        ),
      rpc,
    ),
    similarUsers: unary(async (req) => {
      const users = await domain.similarUsers({
        history: prelude(req.meta, req.history),
        k: req.k,
        itemsPerUser: req.itemsPerUser,
        userId: req.history?.userId || undefined,
        model: req.model,
      });
      return { users };
    }, rpc),
    getItemEmbeddings: unary((req) => {
      domain.checkDataset(req.meta?.datasetManifestHash ?? '');
      const rows = domain.itemEmbeddings(req.itemIds);
      return {
        embeddings: req.itemIds.map((itemId, i) => ({
          itemId,
          embedding: { values: Array.from(rows[i]) },
        })),
        dim: domain.dim,
      };
    }, rpc),
    getUserEmbedding: unary(async (req) => {
      const e = await domain.userEmbedding(prelude(req.meta, req.history));
      return { embedding: { values: Array.from(e) }, dim: domain.dim };
    }, rpc),
  };
  const server = new Server({
    'grpc.max_receive_message_length': 4 * 1024 * 1024,
    interceptors: deps.interceptors,
  });
  server.addService(CandidateGenService, impl);
  health.addToServer(server);
  return { server, health };
}
