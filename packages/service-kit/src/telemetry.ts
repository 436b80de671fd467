import {
  SpanStatusCode,
  context,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';

/** Instrumentation scope of spans created by service-kit itself. */
export const TRACER_NAME = '@thoughtspace/service-kit';

/** The tracer of the globally registered provider (a no-op until setupTelemetry runs). */
export function defaultTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Run `fn` in a new active span: exceptions are recorded and set the span's
 * status to ERROR, and the span always ends. Child spans and outgoing
 * propagation inside `fn` see it as their parent.
 */
export async function withSpan<T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      recordError(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Mark a span failed with the error's message; non-Error values are described, not dumped. */
export function recordError(span: Span, err: unknown): void {
  if (err instanceof Error) {
    span.recordException(err);
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  } else {
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
  }
}

/** The active span, for handlers that want to add attributes or events. */
export function activeSpan(): Span | undefined {
  return trace.getSpan(context.active());
}
