/**
 * RPC latency histograms per method for Prometheus: a grpc-js server
 * interceptor records every call's duration and status code, and a small HTTP
 * server exposes the registry on `/metrics` (its own port, so scraping never
 * competes with the gRPC port). Services opt in by passing
 * `rpcMetrics.interceptor` to `new Server({ interceptors })` and starting
 * `startMetricsServer` from main.ts when METRICS_PORT is set.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import {
  ServerInterceptingCall,
  status as GrpcStatus,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface RpcMetrics {
  registry: Registry;
  /** Observes `grpc_server_handling_seconds{grpc_service, grpc_method, grpc_code}`. */
  interceptor: ServerInterceptor;
  /** A counter of the service's own (e.g. degraded answers), served on /metrics with the histograms. */
  counter(o: { name: string; help: string; labelNames: readonly string[] }): MetricCounter;
}

/** Adds to a counter with labels (as OpenTelemetry's Counter.add). */
export interface MetricCounter {
  add(value: number, labels?: Record<string, string>): void;
}

/** A counter that counts nowhere (a service built without metrics, e.g. in a test). */
export const NO_COUNTER: MetricCounter = { add: () => {} };

const CODE_NAMES = Object.fromEntries(
  Object.entries(GrpcStatus)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => [v as number, k]),
) as Record<number, string>;

/** A registry with the RPC latency histogram (and the process's default metrics). */
export function createRpcMetrics(o: { service: string; defaults?: boolean }): RpcMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: o.service });
  if (o.defaults !== false) collectDefaultMetrics({ register: registry });
  const histogram = new Histogram({
    name: 'grpc_server_handling_seconds',
    help: 'Time from receiving a gRPC call to sending its status, by method and status code.',
    labelNames: ['grpc_service', 'grpc_method', 'grpc_code'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const interceptor: ServerInterceptor = (method, call) => {
    const started = process.hrtime.bigint();
    const [service = 'unknown', name = 'unknown'] = method.path.replace(/^\//, '').split('/');
    return new ServerInterceptingCall(call, {
      sendStatus(status, next) {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        histogram.observe(
          {
            grpc_service: service,
            grpc_method: name,
            grpc_code: CODE_NAMES[status.code] ?? String(status.code),
          },
          seconds,
        );
        next(status);
      },
    });
  };
  const counter: RpcMetrics['counter'] = ({ name, help, labelNames }) => {
    const c = new Counter({ name, help, labelNames: [...labelNames], registers: [registry] });
    return { add: (value, labels = {}) => c.inc(labels, value) };
  };
  return { registry, interceptor, counter };
}

/** Serve `registry` as Prometheus text on http://host:port/metrics; resolves with the bound port. */
export async function startMetricsServer(o: {
  registry: Registry;
  port: number;
  host?: string;
}): Promise<{ port: number; close(): Promise<void> }> {
  const server: HttpServer = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('not found: GET /metrics\n');
      return;
    }
    o.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': o.registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(`${err.message}\n`),
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(o.port, o.host ?? '0.0.0.0', () => ok());
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
