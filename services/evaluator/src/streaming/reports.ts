import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FailedPreconditionError, Status, ThoughtspaceError } from '@thoughtspace/runtime';
import { reportsOf, type JoinedCases, type Reports } from './state';

export type { Reports };

export interface ReportRequest {
  id: number;
  cases: JoinedCases;
  window: number;
  bootstrap: { seed: number; resamples: number };
}

export type ReportResponse =
  { id: number; reports: Reports; ms: number; error?: undefined } | { id: number; error: string };

const internal = (message: string): Error => new ThoughtspaceError(Status.INTERNAL, message);

/** Computes the cumulative and windowed reports (bootstrap CIs) of a copy of the joined cases. */
export interface ReportRunner {
  /** The reports, and how long computing them took (ms, excluding the hand-over to a worker). */
  run(
    cases: JoinedCases,
    window: number,
    bootstrap: ReportRequest['bootstrap'],
  ): Promise<{ reports: Reports; ms: number }>;
  close(): Promise<void>;
}

/**
 * The compiled worker script. The same path from src/streaming (ts-jest) and
 * dist/streaming: a worker thread always runs the built JavaScript.
 */
export const REPORT_WORKER = resolve(
  __dirname,
  '..',
  '..',
  'dist',
  'streaming',
  'report-worker.js',
);

/** Reports computed on the calling thread (blocks it for the bootstrap). */
export function inlineReportRunner(): ReportRunner {
  return {
    run: async (cases, window, bootstrap) => {
      const started = performance.now();
      const reports = reportsOf(cases, window, bootstrap);
      return { reports, ms: performance.now() - started };
    },
    close: async () => {},
  };
}

/**
 * Reports computed on a worker thread, so the bootstrap never stops the
 * consumer (fetches, heartbeats, joins). Requests are answered in order; the
 * thread is started on the first request and ended by close().
 */
export function workerReportRunner(options: { script?: string } = {}): ReportRunner {
  const script = options.script ?? REPORT_WORKER;
  let worker: Worker | undefined;
  let seq = 0;
  const pending = new Map<
    number,
    { resolve(r: { reports: Reports; ms: number }): void; reject(e: Error): void }
  >();
  const failAll = (err: Error): void => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker = undefined;
  };
  const start = (): Worker => {
    if (!existsSync(script)) {
      throw new FailedPreconditionError(
        `report worker ${script} is missing: build the evaluator (npm run build)`,
      );
    }
    const w = new Worker(script);
    w.on('message', (res: ReportResponse) => {
      const p = pending.get(res.id);
      if (!p) return;
      pending.delete(res.id);
      if (res.error !== undefined) p.reject(internal(`report worker: ${res.error}`));
      else p.resolve({ reports: res.reports, ms: res.ms });
    });
    w.on('error', (err) => failAll(internal(`report worker failed: ${err.message}`)));
    w.on('exit', (code) => {
      if (pending.size) failAll(internal(`report worker exited with code ${code}`));
      worker = undefined;
    });
    return w;
  };
  return {
    run(cases, window, bootstrap) {
      worker ??= start();
      const id = ++seq;
      const req: ReportRequest = { id, cases, window, bootstrap };
      const done = new Promise<{ reports: Reports; ms: number }>((res, rej) =>
        pending.set(id, { resolve: res, reject: rej }),
      );
      worker.postMessage(req, [cases.ranks.buffer as ArrayBuffer]);
      return done;
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  };
}
