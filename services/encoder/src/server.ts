import { Server, type ServerInterceptor } from '@grpc/grpc-js';
import {
  EncoderService,
  type Behaviour,
  type EncoderServer,
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
import type { BehaviourIds, EncoderDomain } from './domain/encoder';

export interface EncoderDeps {
  domain: EncoderDomain;
  /** Server interceptors, e.g. the Prometheus RPC latency histogram (createRpcMetrics). */
  interceptors?: ServerInterceptor[];
  logger?: Logger;
  health?: Health;
}

export const SERVICE_NAME = 'thoughtspace.v1.Encoder';

const toIds = (b: Behaviour): BehaviourIds => ({
  history: (b.history?.interactions ?? []).map((i) => i.itemId),
  itemId: b.itemId,
});

/** The gRPC server with Encoder and grpc.health.v1 attached; binds nothing (main.ts does). */
export function createServer(deps: EncoderDeps): { server: Server; health: Health } {
  const rpc: RpcOptions = { logger: deps.logger };
  const health =
    deps.health ??
    createHealth({ services: { [SERVICE_NAME]: ServingStatus.NOT_SERVING }, logger: deps.logger });
  const { domain } = deps;
  const check = (meta: RequestMeta | undefined) =>
    domain.checkDataset(meta?.datasetManifestHash ?? '');
  const embeddings = (rows: Float32Array[]) => ({
    embeddings: rows.map((r) => ({ values: Array.from(r) })),
    dim: domain.dim,
    encoder: domain.modelName,
  });

  const impl: EncoderServer = {
    encodeRationales: unary(async (req) => {
      check(req.meta);
      return embeddings(await domain.encodeRationales(req.texts));
    }, rpc),
    encodeBehaviours: unary(async (req) => {
      check(req.meta);
      return embeddings(await domain.encodeBehaviours(req.behaviours.map(toIds)));
    }, rpc),
    agreement: unary(async (req) => {
      check(req.meta);
      const behaviour = requireMessage({ behaviour: req.behaviour }, 'behaviour');
      const cosines = await domain.agreement({
        rationales: req.rationales,
        behaviour: toIds(behaviour),
      });
      return { cosines, encoder: domain.modelName };
    }, rpc),
  };
  const server = new Server({
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    interceptors: deps.interceptors,
  });
  server.addService(EncoderService, impl);
  health.addToServer(server);
  return { server, health };
}
