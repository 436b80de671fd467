import { boolVar, enumVar, intVar, stringVar } from './config';
import { LOG_LEVELS } from './logger';
import { EXPORTER_KINDS } from './sdk';

/**
 * Variables every service reads; a service's config.ts spreads this into its
 * own schema: `readConfig({ ...SERVICE_CONFIG, modelPath: stringVar(...) }, process.env)`.
 * The OpenTelemetry names follow the SDK's environment specification.
 */
export const SERVICE_CONFIG = {
  host: stringVar({ name: 'GRPC_HOST', default: '0.0.0.0', description: 'interface to bind' }),
  port: intVar({ name: 'GRPC_PORT', default: 50051, min: 0, max: 65535, description: 'gRPC port' }),
  logLevel: enumVar({
    name: 'LOG_LEVEL',
    values: LOG_LEVELS,
    default: 'info',
    description: 'lowest level of the JSON log lines written to stderr',
  }),
  tracesExporter: enumVar({
    name: 'OTEL_TRACES_EXPORTER',
    values: EXPORTER_KINDS,
    default: 'none',
    description: 'none, console or otlp',
  }),
  otlpEndpoint: stringVar({
    name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    optional: true,
    description: 'OTLP/HTTP traces URL, e.g. http://otel-collector:4318/v1/traces',
  }),
  shutdownTimeoutMs: intVar({
    name: 'SHUTDOWN_TIMEOUT_MS',
    default: 10_000,
    min: 0,
    max: 600_000,
    description: 'after the drain delay, how long accepted calls may run before they are cancelled',
  }),
  drainDelayMs: intVar({
    name: 'DRAIN_DELAY_MS',
    default: 5_000,
    min: 0,
    max: 600_000,
    description:
      'after SIGTERM: health NOT_SERVING, then this wait (still serving) before refusing new calls; cover a readiness probe period',
  }),
  reflection: boolVar({
    name: 'GRPC_REFLECTION',
    default: true,
    description: 'serve gRPC server reflection (grpcurl, evans, Postman)',
  }),
};

/** The Prometheus endpoint of services that run with `runService({ metrics: true })`. */
export const METRICS_CONFIG = {
  metricsPort: intVar({
    name: 'METRICS_PORT',
    optional: true,
    min: 0,
    max: 65535,
    description: 'port of the Prometheus /metrics endpoint (RPC latency histograms); unset = off',
  }),
};

/** Variables of services that serve an ONNX model through the engine's ModelRunner. */
export const MODEL_SERVICE_CONFIG = {
  threads: intVar({
    name: 'ORT_THREADS',
    default: 1,
    min: 1,
    max: 256,
    description:
      'onnxruntime intra-op threads per model; 1 suits serving (a request is a few small runs; concurrency comes from requests and processes, and extra threads spin on cores the other services need; decision 0027)',
  }),
  executionProvider: enumVar({
    name: 'ORT_EXECUTION_PROVIDER',
    values: ['cpu', 'cuda'] as const,
    default: 'cpu',
    description:
      'cuda needs the CUDA binaries of onnxruntime-node (ONNXRUNTIME_NODE_INSTALL=cuda12, docs/gpu.md)',
  }),
};
