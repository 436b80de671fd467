/**
 * Generated protobuf types, codecs and gRPC service definitions
 * (buf + ts-proto, see docs/grpc.md). Every generated symbol is public API:
 * the files under gen/ are re-exported whole so a regeneration never needs a
 * hand edit here; a name clash between files fails the build instead.
 */
export * from './gen/thoughtspace/v1/common';
export * from './gen/thoughtspace/v1/candidate_gen';
export * from './gen/thoughtspace/v1/rationale_gen';
export * from './gen/thoughtspace/v1/encoder';
export * from './gen/thoughtspace/v1/tot_selector';
export * from './gen/thoughtspace/v1/scorer';
export * from './gen/thoughtspace/v1/evaluator';
export * from './gen/thoughtspace/v1/gateway';
export * from './gen/thoughtspace/v1/events';
export * from './gen/grpc/health/v1/health';
export { SERVICE_NAMES } from './services';
export type { ServiceName } from './services';
