import {
  status as GrpcStatus,
  type Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
  type handleServerStreamingCall,
  type handleUnaryCall,
} from '@grpc/grpc-js';
import {
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { deadlineMs } from './deadline';
import { DeadlineExceededError, toServiceError } from './errors';
import { serverInstrumented } from './internal/instrumentation';
import { once } from './internal/once';
import { loggerInContext, silentLogger, type Logger } from './logger';
import { defaultTracer } from './telemetry';
import { extractFromMetadata } from './trace-context';

/** What a handler gets besides its request. */
export interface CallContext {
  /** Full method path, e.g. `/thoughtspace.v1.Scorer/Score`. */
  readonly method: string;
  /** Incoming request metadata. */
  readonly metadata: Metadata;
  /** Absolute deadline in unix milliseconds; undefined when the client set none. */
  readonly deadline: number | undefined;
  /** Aborted when the client cancels or the deadline passes: pass it to long work. */
  readonly signal: AbortSignal;
  /** The RPC's server span (already active in the handler's async context). */
  readonly span: Span;
  /** Logger namespaced by method. */
  readonly logger: Logger;
}

export type UnaryHandler<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res> | Res;

/** Writes one message, resolving when the transport accepts more (backpressure). */
export type Send<Res> = (message: Res) => Promise<void>;

export type ServerStreamHandler<Req, Res> = (
  request: Req,
  send: Send<Res>,
  ctx: CallContext,
) => Promise<void> | void;

export interface RpcOptions {
  /** Where failures are logged (internal errors with their id); silent by default. */
  logger?: Logger;
  /** Tracer for the per-RPC server span; the global tracer by default. */
  tracer?: Tracer;
}

/**
 * A grpc-js unary handler around `handler`: the callback is called exactly
 * once, with the response or with the status `toServiceError` maps a thrown
 * error to; a server span with rpc.* attributes covers the call.
 */
export function unary<Req, Res>(
  handler: UnaryHandler<Req, Res>,
  options: RpcOptions = {},
): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback) => {
    const rpc = startRpc(call, options);
    const respond = once(callback, () => rpc.logger.warn('handler tried to respond twice'));
    rpc
      .run(() => handler(call.request, rpc.ctx))
      .then(
        (response) => {
          rpc.finish(GrpcStatus.OK);
          respond(null, response);
        },
        (err: unknown) => {
          const status = toServiceError(err, { logger: rpc.logger });
          rpc.finish(status.code, status.details);
          respond(status);
        },
      );
  };
}

/**
 * A grpc-js server-streaming handler around `handler`: `send` honours
 * backpressure and rejects once the call is cancelled; the stream ends exactly
 * once, with OK when the handler resolves or with the mapped error status.
 */
export function serverStream<Req, Res>(
  handler: ServerStreamHandler<Req, Res>,
  options: RpcOptions = {},
): handleServerStreamingCall<Req, Res> {
  return (call: ServerWritableStream<Req, Res>) => {
    const rpc = startRpc(call, options);
    const { signal } = rpc.ctx;
    const send: Send<Res> = (message) =>
      new Promise<void>((resolve, reject) => {
        if (signal.aborted) {
          reject(signal.reason);
          return;
        }
        if (call.write(message)) {
          resolve();
          return;
        }
        // A cancelled call never drains: wait for whichever comes first.
        const onDrain = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          call.removeListener('drain', onDrain);
          reject(signal.reason);
        };
        call.once('drain', onDrain);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    const finish = once((err: unknown) => {
      if (err === undefined) {
        rpc.finish(GrpcStatus.OK);
        call.end();
        return;
      }
      const status = toServiceError(err, { logger: rpc.logger });
      rpc.finish(status.code, status.details);
      // grpc-js turns an 'error' event on a server stream into the call's status.
      call.emit('error', status);
    });
    rpc
      .run(() => handler(call.request, send, rpc.ctx))
      .then(
        () => finish(undefined),
        (err: unknown) => finish(err ?? new Error('stream handler rejected')),
      );
  };
}

interface Rpc {
  ctx: CallContext;
  logger: Logger;
  run<T>(fn: () => Promise<T> | T): Promise<T>;
  finish(code: GrpcStatus, details?: string): void;
}

// grpc-js does not export its ServerSurfaceCall type; this is the part both call kinds share.
type SurfaceCall = Pick<
  ServerUnaryCall<unknown, unknown>,
  'getPath' | 'getDeadline' | 'metadata' | 'once' | 'removeListener'
>;

function startRpc(call: SurfaceCall, options: RpcOptions): Rpc {
  const method = call.getPath();
  const [service = 'unknown', name = 'unknown'] = method.replace(/^\//, '').split('/');
  // With @opentelemetry/instrumentation-grpc (instrument.ts) the server span is
  // the instrumentation's, already active here; without it, service-kit opens one.
  const instrumented = serverInstrumented() ? trace.getSpan(context.active()) : undefined;
  let span: Span;
  let active: Context;
  if (instrumented) {
    span = instrumented;
    active = context.active();
  } else {
    const tracer = options.tracer ?? defaultTracer();
    const parent = extractFromMetadata(call.metadata, context.active());
    span = tracer.startSpan(
      `${service}/${name}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': name },
      },
      parent,
    );
    active = trace.setSpan(parent, span);
  }
  // Every line this call logs carries its trace_id/span_id, including the
  // error mapping that runs after the handler's context has ended.
  const logger = loggerInContext((options.logger ?? silentLogger).namespace(name), active);

  const started = performance.now();
  const deadline = deadlineMs(call.getDeadline());
  const abort = new AbortController();
  const onCancel = () =>
    abort.abort(new DeadlineExceededError('call cancelled or deadline passed'));
  call.once('cancelled', onCancel);
  const timer =
    deadline === undefined
      ? undefined
      : setTimeout(
          () => abort.abort(new DeadlineExceededError('deadline passed')),
          Math.max(0, deadline - Date.now()),
        );
  timer?.unref();

  const ctx: CallContext = {
    method,
    metadata: call.metadata,
    deadline,
    signal: abort.signal,
    span,
    logger,
  };
  return {
    ctx,
    logger,
    // Promise.resolve().then keeps a synchronous throw inside the promise chain.
    run: (fn) => context.with(active, () => Promise.resolve().then(fn)),
    finish(code, details) {
      if (timer) clearTimeout(timer);
      call.removeListener('cancelled', onCancel);
      const durationMs = Number((performance.now() - started).toFixed(3));
      if (code !== GrpcStatus.OK) {
        logger.debug('call failed', { code: GrpcStatus[code], details, durationMs });
      } else {
        // The access log (LOG_LEVEL=debug): one line per call, joined to its trace by trace_id.
        logger.debug('call done', { code: 'OK', durationMs });
      }
      // The instrumentation sets the status code and ends its own span.
      if (instrumented) return;
      span.setAttribute('rpc.grpc.status_code', code);
      if (code !== GrpcStatus.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: details });
      span.end();
    },
  };
}
