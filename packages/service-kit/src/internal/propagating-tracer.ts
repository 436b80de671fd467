import { randomBytes } from 'node:crypto';
import {
  context,
  isSpanContextValid,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';

/** Random bytes for 128 roots at a time: one trace id and span id (24 bytes) per root. */
const POOL_BYTES = 24 * 128;
let pool = Buffer.alloc(0);
let taken = 0;

/** A trace id (32 hex) followed by a span id (16 hex), from the pool. */
function freshIds(): string {
  if (taken + 24 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    taken = 0;
  }
  taken += 24;
  return pool.toString('hex', taken - 24, taken);
}

/**
 * The tracer of a process that exports no spans (OTEL_TRACES_EXPORTER=none):
 * a span records nothing. Below a valid parent it is the parent's context
 * itself, so a trace passes through unbroken; at a root it starts a trace
 * (fresh ids, sampled), so the calls, messages and log lines of one request
 * still share one trace id here and in every service downstream.
 */
class PropagatingTracer implements Tracer {
  startSpan(_name: string, options?: SpanOptions, ctx: Context = context.active()): Span {
    const parent = options?.root ? undefined : trace.getSpanContext(ctx);
    if (parent && isSpanContextValid(parent)) return trace.wrapSpanContext(parent);
    const ids = freshIds();
    return trace.wrapSpanContext({
      traceId: ids.slice(0, 32),
      spanId: ids.slice(32),
      traceFlags: TraceFlags.SAMPLED,
    });
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    ...args: [F] | [SpanOptions, F] | [SpanOptions, Context, F]
  ): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    const options = args.length > 1 ? (args[0] as SpanOptions) : undefined;
    const ctx = args.length > 2 ? (args[1] as Context) : context.active();
    const span = this.startSpan(name, options, ctx);
    return context.with(trace.setSpan(ctx, span), () => fn(span) as ReturnType<F>);
  }
}

export function propagatingTracerProvider(): TracerProvider {
  const tracer = new PropagatingTracer();
  return { getTracer: () => tracer };
}
