// Errors and the gRPC boundary
export {
  toServiceError,
  fromServiceError,
  isServiceError,
  DeadlineExceededError,
  UnavailableError,
  RETRIABLE_METADATA_KEY,
  ERROR_ID_METADATA_KEY,
} from './errors';
export type { ToServiceErrorOptions } from './errors';
export { unary, serverStream } from './handlers';
export { callDownstream, downstreamError } from './downstream';
export { createRpcMetrics, startMetricsServer, NO_COUNTER } from './prometheus';
export type { RpcMetrics, MetricCounter } from './prometheus';
export type { DownstreamOptions, UnaryClientMethod } from './downstream';
export type { CallContext, UnaryHandler, ServerStreamHandler, Send, RpcOptions } from './handlers';

// Deadlines and request validation
export { checkDeadline, remainingMs, downstreamCallOptions, deadlineMs } from './deadline';
export type { DeadlineSource, DownstreamDeadlineOptions } from './deadline';
export {
  requireString,
  requireInt,
  requireNonEmpty,
  requireMessage,
  requireEnum,
} from './validate';
export type {
  FieldOptions,
  StringOptions,
  IntOptions,
  ArrayOptions,
  EnumOptions,
} from './validate';

// Health and server lifecycle
export { createHealth, ServingStatus, OVERALL } from './health';
export type { Health, HealthOptions } from './health';
export {
  startServer,
  gracefulShutdown,
  shutdownOnSignals,
  DEFAULT_DRAIN_DELAY_MS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
} from './server';
export type {
  StartServerOptions,
  StartedServer,
  ShutdownOptions,
  ShutdownResult,
  SignalOptions,
} from './server';

// Configuration and logging
export {
  readConfig,
  envVar,
  intString,
  floatString,
  boolString,
  configObject,
  describeConfig,
  stringVar,
  intVar,
  floatVar,
  boolVar,
  enumVar,
} from './config';
export type { ConfigOf, ConfigSchema, VarSpec, ConfigDocRow } from './config';
export { renderConfigDoc } from './config-doc';
export type { ConfigDocSection } from './config-doc';
/** zod, for services declaring variables with `envVar(name, z....)`. */
export { z } from 'zod';
export { SERVICE_CONFIG, MODEL_SERVICE_CONFIG, METRICS_CONFIG } from './service-config';
export { createLogger, silentLogger, loggerInContext, LOG_LEVELS } from './logger';
export type { Logger, LoggerOptions, LogLevel, LogFields } from './logger';

// Telemetry: API-only helpers for library code, SDK set-up for main.ts
export { withSpan, recordError, activeSpan, defaultTracer, TRACER_NAME } from './telemetry';
export {
  injectTraceHeaders,
  extractTraceContext,
  extractFromMetadata,
  injectIntoMetadata,
  metadataGetter,
  metadataSetter,
} from './trace-context';
export type { MessageHeaders } from './trace-context';
export { setupTelemetry, EXPORTER_KINDS } from './sdk';
export type { Telemetry, TelemetryOptions, ExporterKind } from './sdk';

// The main.ts life cycle
export { runService, runMain, startFailureExitCode } from './run';
export type { BuiltService, RunningService, CommonServiceConfig } from './run';
