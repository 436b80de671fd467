/**
 * OpenTelemetry's gRPC instrumentation, for a process's entry point only:
 * `import '@thoughtspace/service-kit/dist/instrument';` as the FIRST import
 * of a service's main.ts (and of the CLI's bin.ts, which `serve` and `up`
 * run). @opentelemetry/instrumentation-grpc patches @grpc/grpc-js when it is
 * required, so this module must run before anything loads grpc-js; it
 * imports nothing that does. setupTelemetry (sdk.ts) later points the
 * instrumentation at the tracer provider it registers. Where grpc-js was not
 * patched (loaded earlier, or under jest's module registry) service-kit's
 * handlers and callDownstream open the RPC spans themselves
 * (docs/decisions/0019).
 */
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import {
  INSTRUMENTATION_KEY,
  type InstrumentationRegistry,
} from './internal/instrumentation-registry';

function enable(): GrpcInstrumentation {
  const registry = globalThis as InstrumentationRegistry;
  const existing = registry[INSTRUMENTATION_KEY];
  if (existing) return existing as GrpcInstrumentation;
  // Constructing an instrumentation enables it (hooks require of @grpc/grpc-js).
  const grpc = new GrpcInstrumentation();
  registry[INSTRUMENTATION_KEY] = grpc;
  return grpc;
}

export const grpcInstrumentation = enable();
