import { buildSasrecWindow } from '../sasrec/graph';
import { validateConfig } from '../sasrec/config';
import { windowFor, windowLengths, type SequenceWindow } from './windows';

describe('serving windows', () => {
  it('doubles from 8 while shorter than the model window', () => {
    expect(windowLengths(50)).toEqual([8, 16, 32]);
    expect(windowLengths(200)).toEqual([8, 16, 32, 64, 128]);
    expect(windowLengths(9)).toEqual([8]);
    expect(windowLengths(8)).toEqual([]);
  });

  it('picks the smallest window that holds the longest history, or none', () => {
    const windows = [8, 16].map((length) => ({ length }) as SequenceWindow);
    const h = (n: number) => new Int32Array(n);
    expect(windowFor(windows, [h(1)])?.length).toBe(8);
    expect(windowFor(windows, [h(8)])?.length).toBe(8);
    expect(windowFor(windows, [h(3), h(9)])?.length).toBe(16);
    expect(windowFor(windows, [h(17)])).toBeUndefined();
    expect(windowFor([], [h(1)])).toBeUndefined();
  });

  it('refuses a window outside 1..maxLen, naming the field', () => {
    const config = validateConfig({ maxLen: 20, hidden: 8, blocks: 1, heads: 1 });
    expect(() => buildSasrecWindow(config, 10, 0)).toThrow(
      /window: must be an integer in 1\.\.20, got 0/,
    );
    expect(() => buildSasrecWindow(config, 10, 21)).toThrow(
      /window: must be an integer in 1\.\.20, got 21/,
    );
    expect(buildSasrecWindow(config, 10, 20).graph).toBeDefined();
  });
});
