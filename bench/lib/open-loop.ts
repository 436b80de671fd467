/** The open-loop load of the benchmarks: calls on a fixed schedule, latency from the due time. */

/**
 * Open loop: request i is due at t0 + i / rate whether or not earlier ones
 * finished; latency counts from the due time (no coordinated omission), and
 * failed calls are included at the time they failed.
 */
export async function openLoop(
  rate: number,
  seconds: number,
  fire: (i: number) => Promise<void>,
): Promise<{ latencies: number[]; errors: string[]; lateStartMs: number }> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const errors: string[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now() + 20;
  let lateStartMs = 0;
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    lateStartMs = Math.max(lateStartMs, performance.now() - due);
    // A failed call counts at the time it failed (a timeout is a slow answer, not a missing one).
    pending.push(
      fire(i).then(
        () => void latencies.push(performance.now() - due),
        (err: Error) => {
          latencies.push(performance.now() - due);
          errors.push(err.message);
        },
      ),
    );
  }
  await Promise.all(pending);
  return { latencies, errors, lateStartMs };
}
