import { userStateMemo } from './candidates';

describe('userStateMemo', () => {
  const history = (...ids: number[]) => Int32Array.from(ids);

  it('runs the model once for concurrent and repeated asks of the same history', async () => {
    const runs: string[] = [];
    const state = userStateMemo(async (h) => {
      runs.push(h.join(','));
      await new Promise((r) => setTimeout(r, 5));
      return Float32Array.from(h, (x) => x / 10);
    });
    const [a, b] = await Promise.all([state(history(1, 2, 3)), state(history(1, 2, 3))]);
    expect(a).toBe(b);
    expect(Array.from(await state(history(1, 2, 3)))).toEqual([0.1, 0.2, 0.3].map(Math.fround));
    // Another history (even a prefix of it) is its own state.
    await state(history(1, 2));
    expect(runs).toEqual(['1,2,3', '1,2']);
  });

  it('does not remember a failed run', async () => {
    let calls = 0;
    const state = userStateMemo(async () => {
      calls++;
      if (calls === 1) throw new Error('session closed');
      return new Float32Array(2);
    });
    await expect(state(history(7))).rejects.toThrow('session closed');
    await expect(state(history(7))).resolves.toHaveLength(2);
    expect(calls).toBe(2);
  });

  it('keeps only the most recent histories', async () => {
    const runs: number[] = [];
    const state = userStateMemo(async (h) => {
      runs.push(h[0]);
      return new Float32Array(1);
    });
    for (let u = 0; u < 70; u++) await state(history(u));
    await state(history(69)); // recent: remembered
    await state(history(0)); // the oldest was dropped: run again
    expect(runs.filter((u) => u === 69)).toHaveLength(1);
    expect(runs.filter((u) => u === 0)).toHaveLength(2);
  });
});
