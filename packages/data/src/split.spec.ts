import { leaveOneOut, sequencesBefore } from './split';
import type { Dataset } from './dataset';

const ds: Dataset = {
  userIds: ['long', 'short', 'three'],
  itemIds: ['a', 'b', 'c', 'd', 'e'],
  items: [],
  sequences: [
    Int32Array.from([0, 1, 2, 3, 4]),
    Int32Array.from([0, 1]),
    Int32Array.from([2, 3, 4]),
  ],
};

describe('leaveOneOut', () => {
  const split = leaveOneOut(ds);

  it('uses the last item for test and the second last for validation', () => {
    expect(split.test.map((c) => [c.user, Array.from(c.history), c.target])).toEqual([
      [0, [0, 1, 2, 3], 4],
      [2, [2, 3], 4],
    ]);
    expect(split.valid.map((c) => [c.user, Array.from(c.history), c.target])).toEqual([
      [0, [0, 1, 2], 3],
      [2, [2], 3],
    ]);
    expect(Array.from(split.train[0])).toEqual([0, 1, 2]);
  });

  it('keeps users with fewer than three interactions as training only', () => {
    expect(split.trainOnlyUsers).toBe(1);
    expect(Array.from(split.train[1])).toEqual([0, 1]);
  });

  it('never lets a test target into what a model sees for the test split', () => {
    const before = sequencesBefore(split, 'test');
    split.test.forEach((c) => {
      expect(Array.from(before[c.user])).toEqual(Array.from(c.history));
      expect(before[c.user].length).toBe(ds.sequences[c.user].length - 1);
    });
    expect(sequencesBefore(split, 'valid')).toBe(split.train);
  });
});
