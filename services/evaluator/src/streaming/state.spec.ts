import { rankOfTarget, reportFromRanks } from '@thoughtspace/metrics';
import { JoinState, type Half } from './state';

const pred = (id: string, user: string, at: number, scores = [3, 1, 2]): Half => ({
  kind: 'prediction',
  requestId: id,
  userId: user,
  at,
  candidates: ['a', 'b', 'c'],
  scores,
});
const truth = (id: string, user: string, at: number, itemId = 'c'): Half => ({
  kind: 'interaction',
  requestId: id,
  userId: user,
  at,
  itemId,
});

describe('JoinState', () => {
  it('joins either arrival order and counts each request id once, whatever is redelivered', () => {
    const s = new JoinState();
    expect(s.add(pred('r1', 'u1', 1)).outcome).toBe('buffered');
    expect(s.add(truth('r2', 'u2', 2)).outcome).toBe('buffered');
    expect(s.add(pred('r1', 'u1', 3)).outcome).toBe('duplicate');
    expect(s.add(truth('r1', 'u1', 4)).outcome).toBe('joined');
    expect(s.add(pred('r2', 'u2', 5)).outcome).toBe('joined');
    expect(s.add(truth('r1', 'u1', 6)).outcome).toBe('duplicate');
    expect(s.add(pred('r2', 'u2', 7)).outcome).toBe('duplicate');
    expect(s.counters()).toMatchObject({
      joined: 2,
      duplicates: 3,
      buffered: 0,
      predictionsRead: 4,
      interactionsRead: 3,
    });
    expect(s.countedIds()).toEqual(['r1', 'r2']);
  });

  it('rejects a ground truth outside the candidates, once', () => {
    const s = new JoinState();
    s.add(pred('r1', 'u1', 1));
    expect(s.add(truth('r1', 'u1', 2, 'zzz'))).toEqual({
      outcome: 'rejected',
      reason: 'ground truth zzz is not among the candidates',
    });
    expect(s.add(truth('r1', 'u1', 3, 'zzz')).outcome).toBe('duplicate');
    expect(s.counters()).toMatchObject({ joined: 0, rejected: 1 });
  });

  it('expires halves past the TTL (event time) and beyond the bound, oldest first', () => {
    const s = new JoinState({ ttlMs: 100, maxBuffered: 2 });
    s.add(pred('old', 'u1', 0));
    s.add(pred('r2', 'u2', 150));
    expect(s.counters()).toMatchObject({ expired: 1, buffered: 1 });
    s.add(pred('r3', 'u3', 151));
    s.add(pred('r4', 'u4', 152));
    expect(s.counters()).toMatchObject({ expired: 2, buffered: 2 });
    expect(s.add(truth('old', 'u1', 153)).outcome).toBe('buffered');
  });

  it('expires the next-oldest half once the oldest has joined, even when it was inserted later', () => {
    const s = new JoinState({ ttlMs: 100 });
    s.add(pred('r1', 'u1', 100));
    s.add(pred('r2', 'u2', 10)); // behind r1 in arrival order, older in event time
    expect(s.add(truth('r1', 'u1', 105)).outcome).toBe('joined');
    expect(s.counters()).toMatchObject({ expired: 0, buffered: 1 });
    s.add(pred('r3', 'u3', 200)); // watermark 200: r2 (at 10) is past the TTL, r3 is not
    expect(s.counters()).toMatchObject({ expired: 1, buffered: 1 });
    expect(s.add(truth('r2', 'u2', 201)).outcome).toBe('buffered');
  });

  it('reports with the CLI functions over cases in user-id order, independent of arrival order', () => {
    const cases = [
      ['r3', 'u3', [1, 2, 3]],
      ['r1', 'u1', [3, 2, 1]],
      ['r2', 'u2', [2, 3, 1]],
    ] as const;
    const a = new JoinState({ window: 2 });
    const b = new JoinState({ window: 2 });
    for (const [id, u, sc] of cases) {
      a.add(pred(id, u, 0, [...sc]));
      a.add(truth(id, u, 0));
    }
    for (const [id, u, sc] of [...cases].reverse()) {
      b.add(truth(id, u, 0));
      b.add(pred(id, u, 0, [...sc]));
    }
    const ranks = [cases[1], cases[2], cases[0]].map(([, , sc]) => rankOfTarget([...sc], 2));
    const options = { seed: 3, resamples: 200 };
    expect(a.report(options).cumulative).toEqual(reportFromRanks(ranks, options));
    expect(b.report(options).cumulative).toEqual(a.report(options).cumulative);
    // The window holds the last two joins (u1, u2 in a's order), sorted by user.
    expect(a.report(options).window).toEqual(reportFromRanks(ranks.slice(0, 2), options));
  });

  it('restores from a snapshot to the same state', () => {
    const s = new JoinState();
    s.add(pred('r1', 'u1', 1));
    s.add(truth('r1', 'u1', 2));
    s.add(pred('r2', 'u2', 3));
    const restored = new JoinState({ restore: JSON.parse(JSON.stringify(s.snapshot())) });
    expect(restored.snapshot()).toEqual(s.snapshot());
    expect(restored.add(truth('r1', 'u1', 4)).outcome).toBe('duplicate');
    expect(restored.add(truth('r2', 'u2', 4)).outcome).toBe('joined');
  });

  it('keeps each model version apart, and the version survives a checkpoint', () => {
    const s = new JoinState({ window: 2 });
    const versioned = (id: string, user: string, version: string, scores: number[]): Half => ({
      ...(pred(id, user, 1, scores) as Extract<Half, { kind: 'prediction' }>),
      version,
    });
    // v1 ranks the truth "c" first, v2 third; one unversioned case ranks it second.
    s.add(versioned('a1', 'u1', 'v1', [1, 2, 3]));
    s.add(versioned('a2', 'u2', 'v1', [1, 2, 3]));
    s.add(versioned('b1', 'u3', 'v2', [3, 2, 1]));
    s.add(pred('n1', 'u4', 1, [3, 1, 2]));
    for (const [id, user] of [
      ['a1', 'u1'],
      ['a2', 'u2'],
      ['b1', 'u3'],
      ['n1', 'u4'],
    ])
      s.add(truth(id, user, 2));
    expect(s.versions()).toEqual(['v1', 'v2']);
    expect(Array.from(s.ranks(undefined, 'v1'))).toEqual([1, 1]);
    expect(Array.from(s.ranks(undefined, 'v2'))).toEqual([3]);
    expect(Array.from(s.ranks())).toEqual([1, 1, 3, 2]);
    const bootstrap = { seed: 1, resamples: 20 };
    expect(s.report(bootstrap, 'v2').cumulative!.metrics['HR@1'].mean).toBe(0);
    expect(s.report(bootstrap, 'v1').window!.metrics['HR@1'].mean).toBe(1);
    const restored = new JoinState({
      window: 2,
      restore: JSON.parse(JSON.stringify(s.snapshot())),
    });
    expect(restored.versions()).toEqual(['v1', 'v2']);
    expect(Array.from(restored.ranks(undefined, 'v2'))).toEqual([3]);
  });
});
