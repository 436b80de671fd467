import { Worker } from 'node:worker_threads';

/** Wall time and peak resident set of one stage of the main job. */
export interface StageRecord {
  stage: string;
  seconds: number;
  /** Highest process RSS sampled while the stage ran (MiB). */
  peakRssMiB: number;
  /** Process RSS when the stage ended (MiB). */
  endRssMiB: number;
}

/** Runs `run` as the named stage, recording its time and memory. */
export type StageHook = <T>(stage: string, run: () => Promise<T> | T) => Promise<T>;

export interface StageTimer {
  stage: StageHook;
  /** Records of the stages finished so far, in order (nested stages appear before their parent). */
  readonly records: StageRecord[];
  dispose(): Promise<void>;
}

// The sampler runs on its own thread so it keeps sampling while the main
// thread is busy in a long synchronous loop (where a setInterval would not
// fire). It writes the highest RSS seen into a shared slot; the main thread
// resets the slot when a stage starts and reads it when the stage ends.
const SAMPLER = `
const { workerData } = require('node:worker_threads');
const peak = new BigInt64Array(workerData.buffer);
const sample = () => {
  const rss = BigInt(process.memoryUsage.rss());
  for (;;) {
    const seen = Atomics.load(peak, 0);
    if (rss <= seen || Atomics.compareExchange(peak, 0, seen, rss) === seen) break;
  }
};
setInterval(sample, workerData.everyMs);
`;

const MiB = 1024 * 1024;

/**
 * A stage timer for the main job: wall time per stage and the peak RSS
 * sampled every `everyMs` ms (default 50) on a worker thread while the
 * stage ran. Nested stages are allowed; each gets its own peak. `log`
 * receives one progress line per finished stage.
 */
export function createStageTimer(
  o: { everyMs?: number; log?: (line: string) => void } = {},
): StageTimer {
  const buffer = new SharedArrayBuffer(8);
  const peak = new BigInt64Array(buffer);
  const worker = new Worker(SAMPLER, {
    eval: true,
    workerData: { buffer, everyMs: o.everyMs ?? 50 },
  });
  worker.unref();
  const records: StageRecord[] = [];
  // Peaks of the stages still open (outer stages must see their inner stages' peaks).
  const open: bigint[] = [];
  const rssNow = () => BigInt(process.memoryUsage.rss());
  const raise = (v: bigint) => {
    for (;;) {
      const seen = Atomics.load(peak, 0);
      if (v <= seen || Atomics.compareExchange(peak, 0, seen, v) === seen) return;
    }
  };
  const stage: StageHook = async (name, run) => {
    // Fold the running peak into the open stages, then start this one from the current RSS.
    const current = Atomics.exchange(peak, 0, rssNow());
    for (let i = 0; i < open.length; i++) if (current > open[i]) open[i] = current;
    open.push(0n);
    const started = performance.now();
    try {
      return await run();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      raise(rssNow());
      const own = Atomics.load(peak, 0);
      const mine = open.pop() as bigint;
      const stagePeak = own > mine ? own : mine;
      // The enclosing stage continues from this stage's peak.
      Atomics.store(peak, 0, stagePeak);
      const endRss = Number(rssNow()) / MiB;
      const record = {
        stage: name,
        seconds: Number(seconds.toFixed(3)),
        peakRssMiB: Number((Number(stagePeak) / MiB).toFixed(1)),
        endRssMiB: Number(endRss.toFixed(1)),
      };
      records.push(record);
      o.log?.(
        `stage ${name}: ${record.seconds.toFixed(1)} s, peak RSS ${record.peakRssMiB.toFixed(0)} MiB`,
      );
    }
  };
  return {
    stage,
    records,
    async dispose() {
      await worker.terminate();
    },
  };
}

/** A stage hook that only runs the stage (no timing). */
export const untimed: StageHook = async (_stage, run) => run();
