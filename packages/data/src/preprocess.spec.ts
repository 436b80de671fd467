import { preprocess, validatePreprocessOptions } from './preprocess';
import type { Interaction, RawDataset } from './types';

function raw(pairs: [string, string, number?][], items: RawDataset['items'] = []): RawDataset {
  const interactions: Interaction[] = pairs.map(([user, item, timestamp]) =>
    timestamp === undefined ? { user, item } : { user, item, timestamp },
  );
  return {
    reader: 'test',
    items,
    interactions,
    report: { files: [], lines: interactions.length, malformed: 0, malformedSamples: [] },
  };
}

const seqOf = (
  ds: { userIds: string[]; itemIds: string[]; sequences: Int32Array[] },
  user: string,
) => Array.from(ds.sequences[ds.userIds.indexOf(user)], (i) => ds.itemIds[i]);

describe('preprocess', () => {
  it('keeps file order without timestamps and drops later duplicates', () => {
    const { dataset, report } = preprocess(
      raw([
        ['u1', 'a'],
        ['u2', 'b'],
        ['u1', 'b'],
        ['u1', 'a'],
        ['u1', 'c'],
      ]),
      { kcore: 0 },
    );
    expect(seqOf(dataset, 'u1')).toEqual(['a', 'b', 'c']);
    expect(report.duplicatesDropped).toBe(1);
    expect(report.orderedBy).toBe('file');
    expect(report.final).toEqual({ users: 2, items: 3, interactions: 4 });
  });

  it('orders by timestamp (stable on ties) before de-duplicating', () => {
    const { dataset, report } = preprocess(
      raw([
        ['u1', 'late', 30],
        ['u1', 'early', 10],
        ['u1', 'tieA', 20],
        ['u1', 'tieB', 20],
        ['u1', 'early', 40],
      ]),
      { kcore: 0 },
    );
    expect(seqOf(dataset, 'u1')).toEqual(['early', 'tieA', 'tieB', 'late']);
    expect(report.orderedBy).toBe('timestamp');
    expect(Array.from(dataset.timestamps?.[0] ?? [])).toEqual([10, 20, 20, 30]);
  });

  it('distinguishes iterative from single-pass k-core', () => {
    // k = 2. Item x is seen by u1 and u2; u2 has only x and y; y only by u2.
    // Single pass: y dropped (count 1), u2 keeps [x] (length 1 is still kept: its
    // count was 2 on the input). Iterative: u2 then has 1 event -> dropped, x
    // falls to 1 -> dropped from u1 too.
    const pairs: [string, string][] = [
      ['u1', 'x'],
      ['u1', 'p'],
      ['u1', 'q'],
      ['u3', 'p'],
      ['u3', 'q'],
      ['u2', 'x'],
      ['u2', 'y'],
    ];
    const single = preprocess(raw(pairs), { kcore: 2, passes: 'single' });
    expect(seqOf(single.dataset, 'u1')).toEqual(['x', 'p', 'q']);
    expect(seqOf(single.dataset, 'u2')).toEqual(['x']);
    expect(single.report.kcorePassesRun).toBe(1);

    const iterative = preprocess(raw(pairs), { kcore: 2, passes: 'iterative' });
    expect(iterative.dataset.userIds).toEqual(['u1', 'u3']);
    expect(seqOf(iterative.dataset, 'u1')).toEqual(['p', 'q']);
    expect(iterative.report.kcorePassesRun).toBeGreaterThan(1);
  });

  it('applies the minimum sequence length after k-core', () => {
    const { dataset } = preprocess(
      raw([
        ['u1', 'a'],
        ['u1', 'b'],
        ['u2', 'a'],
      ]),
      { kcore: 0, minSeqLen: 2 },
    );
    expect(dataset.userIds).toEqual(['u1']);
  });

  it('attaches item metadata and counts items without text', () => {
    const { dataset, report } = preprocess(
      raw(
        [
          ['u1', 'a'],
          ['u1', 'b'],
        ],
        [{ id: 'a', title: 'Alpha' }],
      ),
      { kcore: 0 },
    );
    expect(dataset.items).toEqual([{ id: 'a', title: 'Alpha' }, { id: 'b' }]);
    expect(report.itemsWithoutText).toBe(1);
  });

  it('fails clearly when filtering leaves nothing', () => {
    expect(() => preprocess(raw([['u1', 'a']]), { kcore: 5 })).toThrow(
      /empty after filtering.*kcore=5/,
    );
  });

  it('validates options', () => {
    expect(() => validatePreprocessOptions({ kcore: -1 })).toThrow(/kcore/);
    expect(() => validatePreprocessOptions({ passes: 'twice' as never })).toThrow(/passes/);
    expect(() => validatePreprocessOptions({ minSeqLen: 1.5 })).toThrow(/minSeqLen/);
  });
});
