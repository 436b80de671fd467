/**
 * OpenTelemetry SDK set-up, for a service's main.ts only: everything else
 * imports just @opentelemetry/api and stays a no-op until this runs.
 */
import { propagation, trace, context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { useTracerProvider } from './internal/instrumentation-registry';
import { propagatingTracerProvider } from './internal/propagating-tracer';

/** `none`: no export (default); `console`: spans as JSON on stdout; `otlp`: OTLP/HTTP to `otlpEndpoint`. */
export type ExporterKind = (typeof EXPORTER_KINDS)[number];
export const EXPORTER_KINDS = ['none', 'console', 'otlp'] as const;

export interface TelemetryOptions {
  /** `service.name` of every span, e.g. `candidate-gen`. */
  serviceName: string;
  serviceVersion?: string;
  /** An exporter kind, or an exporter instance (tests pass an InMemorySpanExporter). */
  exporter?: ExporterKind | SpanExporter;
  /** OTLP/HTTP traces endpoint, e.g. `http://otel-collector:4318/v1/traces`. */
  otlpEndpoint?: string;
  /** Export each span as it ends instead of in batches (tests, debugging). */
  simple?: boolean;
}

export interface Telemetry {
  readonly tracer: Tracer;
  /** Export buffered spans now. */
  forceFlush(): Promise<void>;
  /** Flush, stop and unregister the global provider, context manager and propagator. */
  shutdown(): Promise<void>;
}

/**
 * Register a global tracer provider (AsyncLocalStorage context, W3C trace
 * context + baggage propagation) that exports spans as configured, and hand
 * it to the gRPC instrumentation when the process enabled one (instrument.ts).
 *
 * With no exporter (`none`, the default) no span is recorded: the context
 * manager and propagators are registered with a tracer whose spans are
 * non-recording. Below a caller's span a span is the caller's context, so a
 * trace passes through the service unbroken; at a root it starts a trace
 * (ids only), so one request's calls, messages and log lines still share a
 * trace id. The service spends nothing on spans nobody exports
 * (docs/decisions/0032).
 */
export function setupTelemetry(options: TelemetryOptions): Telemetry {
  const exporter = createExporter(options);
  if (!exporter) return propagateOnly(options.serviceName);
  const spanProcessors: SpanProcessor[] = [
    options.simple ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter),
  ];
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
    }),
    spanProcessors,
  });
  provider.register();
  // The gRPC instrumentation (instrument.ts, if the entry point enabled it) records into this provider.
  useTracerProvider(provider);
  return {
    tracer: trace.getTracer(options.serviceName),
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/**
 * Context and propagation as NodeTracerProvider.register() sets them, with a
 * tracer that records nothing (internal/propagating-tracer.ts).
 */
function propagateOnly(serviceName: string): Telemetry {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
  const provider = propagatingTracerProvider();
  trace.setGlobalTracerProvider(provider);
  useTracerProvider(provider);
  return {
    tracer: trace.getTracer(serviceName),
    forceFlush: async () => {},
    async shutdown() {
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

function createExporter(options: TelemetryOptions): SpanExporter | undefined {
  const kind = options.exporter ?? 'none';
  if (typeof kind !== 'string') return kind;
  switch (kind) {
    case 'none':
      return undefined;
    case 'console':
      return new ConsoleSpanExporter();
    case 'otlp':
      return new OTLPTraceExporter(options.otlpEndpoint ? { url: options.otlpEndpoint } : {});
  }
}
