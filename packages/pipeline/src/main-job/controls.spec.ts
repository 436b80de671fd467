import type { Dataset, EvaluationSet } from '@thoughtspace/data';
import type { MemoSpace } from '@thoughtspace/encoder';
import {
  channelFeatures,
  leafDiversity,
  neighboursOnlyReason,
  otherCase,
  type PreparedSplit,
} from './phase-two';

describe('controls of the main table', () => {
  it('gives every case another case', () => {
    const values = ['a', 'b', 'c', 'd', 'e'];
    for (const seed of [1, 2, 3, 4]) {
      const other = otherCase(values, seed, 'test');
      expect([...other].sort()).toEqual(values);
      other.forEach((v, i) => expect(v).not.toBe(values[i]));
    }
    expect(otherCase(['x'], 1, 'test')).toEqual(['x']);
  });

  it('writes a reason that names only the neighbours items', () => {
    const dataset = {
      itemIds: ['i0', 'i1', 'i2'],
      items: [{ title: 'Soap' }, {}, { title: 'Brush' }],
    } as unknown as Dataset;
    expect(neighboursOnlyReason(dataset, [0, 1, 0, 2])).toBe(
      'Users with similar histories also bought "Soap", "i1" and "Brush".',
    );
    expect(neighboursOnlyReason(dataset, [2])).toBe(
      'Users with similar histories also bought "Brush".',
    );
  });

  it('adds the neighbour count and cos(E2(history), E2(history + candidate)) to the features', () => {
    const prepared = {
      set: {
        candidates: [{ items: Int32Array.from([5, 7]), targetIndex: 0 }],
      } as unknown as EvaluationSet,
      trees: [],
      collab: [Float32Array.from([1, 2, 3, 4, 5, 6])],
      behaviour: [Float32Array.from([1, 0])],
      withCandidate: [Float32Array.from([2, 0]), Float32Array.from([1, 1])],
      similarItems: [Int32Array.from([7, 7, 9])],
    } as PreparedSplit;
    const [f] = channelFeatures(prepared);
    expect(Array.from(f.subarray(0, 5))).toEqual([1, 2, 3, 0, 1]);
    expect(Array.from(f.subarray(5, 8))).toEqual([4, 5, 6]);
    expect(f[8]).toBe(2);
    expect(f[9]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('measures how different the leaves of a tree are', async () => {
    const vec: Record<string, number[]> = {
      'B. Refined for brand: X.': [1, 0],
      'B. Refined for price (no price signal, so weighing brand instead): X.': [1, 0],
      'B. Refined for recency: Y.': [0, 1],
    };
    const memo = {
      encodeRationales: async (texts: string[]) => texts.map((t) => Float32Array.from(vec[t])),
    } as unknown as MemoSpace;
    const tree = {
      behaviour: 'h',
      nodes: [
        { id: 0, depth: 0, parent: null, reason: 'B.' },
        ...Object.keys(vec).map((reason, i) => ({ id: i + 1, depth: 1, parent: 0, reason })),
      ],
    };
    const d = await leafDiversity([tree], memo);
    // Pairs: (X, X') cos 1, (X, Y) 0, (X', Y) 0; own evidence: "X.", "X.", "Y." -> 2 of 3 distinct.
    expect(d.meanPairwiseE1Cosine).toBeCloseTo(1 / 3, 6);
    expect(d.distinctEvidenceShare).toBeCloseTo(2 / 3, 6);
    expect(d).toMatchObject({ trees: 1, leavesPerTree: 3 });
  });
});
