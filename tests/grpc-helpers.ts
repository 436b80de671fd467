import {
  Metadata,
  Server,
  ServerCredentials,
  type CallOptions,
  type ServiceError,
} from '@grpc/grpc-js';

export interface TestServer {
  /** `127.0.0.1:<port>`, a client target. */
  address: string;
  port: number;
  server: Server;
  /** Stop the server, cancelling anything still running. Always await it. */
  close(): Promise<void>;
}

/**
 * A real grpc-js server on loopback with a free port: `addServices` adds the
 * services under test (e.g. `(s) => s.addService(ScorerService, impl)`).
 */
export async function startTestServer(addServices: (server: Server) => void): Promise<TestServer> {
  const server = new Server();
  addServices(server);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
  return {
    address: `127.0.0.1:${port}`,
    port,
    server,
    async close() {
      server.forceShutdown();
    },
  };
}

export interface WaitForOptions {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Poll interval (default 10 ms). */
  intervalMs?: number;
  /** Named in the timeout error. */
  description?: string;
}

/** Poll `predicate` until it returns true (or a truthy promise); reject after the timeout. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  options: WaitForOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 10;
  const start = Date.now();
  for (;;) {
    if (await predicate()) return;
    if (Date.now() - start > timeoutMs) {
      throw new Error(
        `waitFor timed out after ${timeoutMs} ms: ${options.description ?? 'condition'}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// Inference picks the last overload of a generated client method: (request, metadata, options, callback).
type UnaryMethod<Req, Res> = (
  req: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  cb: (err: ServiceError | null, res: Res) => void,
) => unknown;

/** Promise form of a generated client's unary method: `unaryCall(client.check, client, req)`. */
export function unaryCall<Req, Res>(
  method: UnaryMethod<Req, Res>,
  client: object,
  request: Req,
  deadline?: number,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    method.call(client, request, new Metadata(), deadline ? { deadline } : {}, (err, res) =>
      err ? reject(err) : resolve(res),
    ),
  );
}
