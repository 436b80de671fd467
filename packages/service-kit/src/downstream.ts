import { Metadata, status as GrpcStatus, type CallOptions, type ServiceError } from '@grpc/grpc-js';
import { SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { Status, ThoughtspaceError } from '@thoughtspace/runtime';
import { DeadlineExceededError, UnavailableError, fromServiceError } from './errors';
import { clientInstrumented } from './internal/instrumentation';
import { TRACER_NAME } from './telemetry';
import { injectIntoMetadata } from './trace-context';

/**
 * A generated client's unary method in its full form:
 * (request, metadata, options, callback) — the last overload ts-proto emits.
 */
export type UnaryClientMethod<Req, Res> = (
  req: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  cb: (err: ServiceError | null, res: Res) => void,
) => { cancel(): void };

export interface DownstreamOptions {
  /** Short name of the called service as errors and spans name it, e.g. `rationale-gen`. */
  peer: string;
  /** Fully qualified gRPC service, e.g. `thoughtspace.v1.RationaleGen`. */
  service: string;
  /** RPC method name, e.g. `GenerateRationale`. */
  method: string;
  /** Absolute deadline (Date.now() ms): the caller's remaining budget. */
  deadline?: number;
  /** Cancels the call when aborted. */
  signal?: AbortSignal;
  tracer?: Tracer;
}

/**
 * One downstream unary call as a promise: a CLIENT span (the gRPC
 * instrumentation's `grpc.<service>/<method>` when instrument.ts enabled it,
 * else service-kit's own `<service>/<method>` with `peer.service`; W3C trace
 * context in the metadata either way, so the server's span is its child), the caller's deadline passed on, the call cancelled when
 * `signal` aborts, and a failure as a ThoughtspaceError that names the peer:
 * UNAVAILABLE "rationale-gen unavailable: ...", DEADLINE_EXCEEDED, CANCELLED;
 * the peer's other codes are kept with its message prefixed by its name.
 */
export function callDownstream<Req, Res>(
  client: object,
  method: UnaryClientMethod<Req, Res>,
  request: Req,
  o: DownstreamOptions,
): Promise<Res> {
  // With @opentelemetry/instrumentation-grpc (instrument.ts) the generated
  // client opens the CLIENT span and injects the trace context itself.
  if (clientInstrumented()) return invoke(client, method, request, o);
  const tracer = o.tracer ?? trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(
    `${o.service}/${o.method}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'rpc.system': 'grpc',
        'rpc.service': o.service,
        'rpc.method': o.method,
        'peer.service': o.peer,
      },
    },
    (span) =>
      invoke(client, method, request, o, injectIntoMetadata(new Metadata())).then(
        (res) => {
          span.setAttribute('rpc.grpc.status_code', GrpcStatus.OK);
          span.end();
          return res;
        },
        (err: ThoughtspaceError) => {
          span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
          span.setAttribute('rpc.grpc.status_code', err.code);
          span.end();
          throw err;
        },
      ),
  );
}

/** The call itself: deadline, cancellation and the peer-naming error mapping. */
function invoke<Req, Res>(
  client: object,
  method: UnaryClientMethod<Req, Res>,
  request: Req,
  o: DownstreamOptions,
  metadata = new Metadata(),
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    if (o.signal?.aborted) {
      reject(
        new ThoughtspaceError(Status.CANCELLED, `${o.peer} ${o.method}: cancelled before the call`),
      );
      return;
    }
    if (o.deadline !== undefined && o.deadline <= Date.now()) {
      reject(
        new DeadlineExceededError(`${o.peer} ${o.method}: no time left in the request's deadline`),
      );
      return;
    }
    const onAbort = () => call.cancel();
    const call = method.call(
      client,
      request,
      metadata,
      o.deadline !== undefined ? { deadline: new Date(o.deadline) } : {},
      (err, res) => {
        o.signal?.removeEventListener('abort', onAbort);
        if (err) reject(downstreamError(err, o.peer, o.method));
        else resolve(res);
      },
    );
    o.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A failed downstream call as our error, naming the peer. */
export function downstreamError(
  err: ServiceError,
  peer: string,
  method: string,
): ThoughtspaceError {
  const details = err.details || err.message;
  switch (err.code) {
    case GrpcStatus.UNAVAILABLE:
      return new UnavailableError(`${peer} unavailable (${method}): ${details}`, { cause: err });
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new DeadlineExceededError(`${peer} ${method}: deadline exceeded`, { cause: err });
    case GrpcStatus.CANCELLED:
      return new ThoughtspaceError(Status.CANCELLED, `${peer} ${method}: cancelled`, {
        cause: err,
      });
    default: {
      // The server's code and retriable flag, read as every client reads them.
      const e = fromServiceError(err);
      return new ThoughtspaceError(e.code, `${peer} ${method}: ${e.message}`, {
        retriable: e.retriable,
        cause: err,
      });
    }
  }
}
