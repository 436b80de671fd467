import { setTimeout as sleep } from 'node:timers/promises';
import { createStageTimer } from './stage-timer';

describe('createStageTimer', () => {
  it('times each stage and records the peak RSS it reached, nested stages included', async () => {
    const lines: string[] = [];
    const timer = createStageTimer({ everyMs: 10, log: (l) => lines.push(l) });
    try {
      const before = process.memoryUsage.rss() / 2 ** 20;
      let held: Buffer | undefined;
      const value = await timer.stage('outer', async () => {
        await timer.stage('sleep', () => sleep(200));
        await timer.stage('allocate', async () => {
          // 256 MiB written page by page: resident, not just reserved.
          held = Buffer.alloc(256 * 2 ** 20, 1);
          await sleep(50);
        });
        return 42;
      });
      expect(value).toBe(42);
      expect(held?.length).toBe(256 * 2 ** 20);
      expect(timer.records.map((r) => r.stage)).toEqual(['sleep', 'allocate', 'outer']);
      const [slept, allocated, outer] = timer.records;
      expect(slept.seconds).toBeGreaterThanOrEqual(0.18);
      expect(slept.seconds).toBeLessThan(5);
      expect(allocated.peakRssMiB).toBeGreaterThan(before + 200);
      expect(slept.peakRssMiB).toBeLessThan(allocated.peakRssMiB - 200);
      // The outer stage saw everything its inner stages saw.
      expect(outer.peakRssMiB).toBeGreaterThanOrEqual(allocated.peakRssMiB);
      expect(outer.seconds).toBeGreaterThanOrEqual(slept.seconds + allocated.seconds - 0.01);
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^stage sleep: 0\.\d s, peak RSS \d+ MiB$/);
    } finally {
      await timer.dispose();
    }
  });

  it('records a stage that throws, and rethrows', async () => {
    const timer = createStageTimer();
    try {
      await expect(
        timer.stage('fails', () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(timer.records.map((r) => r.stage)).toEqual(['fails']);
    } finally {
      await timer.dispose();
    }
  });
});
