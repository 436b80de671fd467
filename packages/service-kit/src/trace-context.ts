import {
  context,
  propagation,
  type Context,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import type { Metadata } from '@grpc/grpc-js';

/**
 * Kafka record headers as kafkajs types them. W3C trace context travels in
 * the `traceparent` / `tracestate` headers, so a consumer's span continues
 * the producer's trace.
 */
export type MessageHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

const headerSetter: TextMapSetter<MessageHeaders> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

const headerGetter: TextMapGetter<MessageHeaders> = {
  keys(carrier) {
    return Object.keys(carrier);
  },
  get(carrier, key) {
    // Header names are case-insensitive in W3C trace context; Kafka keeps case.
    const found = Object.keys(carrier).find((k) => k.toLowerCase() === key);
    const value = found === undefined ? undefined : carrier[found];
    if (value === undefined) return undefined;
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/** Write the trace context of `ctx` (default: the active one) into `headers`; returns them. */
export function injectTraceHeaders(
  headers: MessageHeaders = {},
  ctx: Context = context.active(),
): MessageHeaders {
  propagation.inject(ctx, headers, headerSetter);
  return headers;
}

/** The context carried by `headers`, to run a consumer's handler in (`context.with`). */
export function extractTraceContext(
  headers: MessageHeaders | undefined,
  parent: Context = context.active(),
): Context {
  return propagation.extract(parent, headers ?? {}, headerGetter);
}

/** gRPC metadata getter: grpc-js clients with OpenTelemetry instrumentation send traceparent there. */
export const metadataGetter: TextMapGetter<Metadata> = {
  keys(carrier) {
    return Object.keys(carrier.getMap());
  },
  get(carrier, key) {
    const values = carrier.get(key);
    return values.length === 0 ? undefined : values.map(String);
  },
};

export const metadataSetter: TextMapSetter<Metadata> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};

/** Trace context of an incoming call's metadata. */
export function extractFromMetadata(
  metadata: Metadata,
  parent: Context = context.active(),
): Context {
  return propagation.extract(parent, metadata, metadataGetter);
}

/** Write the active trace context into outgoing call metadata, so the callee's span is a child. */
export function injectIntoMetadata(metadata: Metadata, ctx: Context = context.active()): Metadata {
  propagation.inject(ctx, metadata, metadataSetter);
  return metadata;
}
