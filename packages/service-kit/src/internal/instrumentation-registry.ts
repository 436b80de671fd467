import type { TracerProvider } from '@opentelemetry/api';

// No import of @grpc/grpc-js here or in anything this imports: instrument.ts
// reads this before grpc-js may be loaded.

/** Where instrument.ts leaves the enabled instrumentation (one per process). */
export const INSTRUMENTATION_KEY = Symbol.for('@thoughtspace/service-kit/grpc-instrumentation');

export type InstrumentationRegistry = typeof globalThis & {
  [INSTRUMENTATION_KEY]?: { setTracerProvider(provider: TracerProvider): void };
};

/** Point the process's gRPC instrumentation (if instrument.ts enabled one) at `provider`. */
export function useTracerProvider(provider: TracerProvider): void {
  (globalThis as InstrumentationRegistry)[INSTRUMENTATION_KEY]?.setTracerProvider(provider);
}
