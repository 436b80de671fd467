import { isSpanContextValid, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { propagatingTracerProvider } from './propagating-tracer';

describe('propagating tracer (no exporter)', () => {
  const tracer = propagatingTracerProvider().getTracer('test');

  it('starts every root with its own valid, sampled ids, across refills of the id pool', () => {
    const roots = Array.from({ length: 300 }, () =>
      tracer.startSpan('root', {}, ROOT_CONTEXT).spanContext(),
    );
    for (const c of roots) {
      expect(isSpanContextValid(c)).toBe(true);
      expect(c.traceFlags).toBe(TraceFlags.SAMPLED);
    }
    expect(new Set(roots.map((c) => c.traceId)).size).toBe(300);
    expect(new Set(roots.map((c) => c.spanId)).size).toBe(300);
  });

  it("is the caller's context below a valid parent, and a new root when asked", () => {
    const parent = tracer.startSpan('root', {}, ROOT_CONTEXT);
    const ctx = trace.setSpan(ROOT_CONTEXT, parent);
    expect(tracer.startSpan('child', {}, ctx).spanContext()).toEqual(parent.spanContext());
    const fresh = tracer.startSpan('again', { root: true }, ctx).spanContext();
    expect(fresh.traceId).not.toBe(parent.spanContext().traceId);
  });
});
