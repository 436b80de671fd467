import { buildTrees, selectAll, thoughtSpaceAgreement } from './cases';
import { leavesOf } from './tree';

const item = (id: string) => ({ id, title: `title ${id}` });
const source = {
  base: async (history: { item: { id: string } }[], similar: { id: string }[]) =>
    `base(${history.map((h) => h.item.id).join(',')}|${similar.map((s) => s.id).join(',')})`,
  refine: async (parent: string, direction: string) => `${parent}>${direction}`,
  directions: (count: number, level: number) =>
    Array.from({ length: count }, (_, i) => `L${level}d${i}`),
};

describe('buildTrees / selectAll', () => {
  const cases = [
    { history: [{ item: item('a') }, { item: item('b') }], similarItems: [item('x')] },
    { history: [{ item: item('c') }], similarItems: [] },
  ];

  it('builds one tree per case from its history and similar items only', async () => {
    const trees = await buildTrees({
      cases,
      source,
      branching: [2, 2],
      render: (h) => h.map((e) => e.item.title).join(' ; '),
      label: 'test',
      silent: true,
    });
    expect(trees).toHaveLength(2);
    expect(trees[0].nodes[0].reason).toBe('base(a,b|x)');
    expect(trees[1].nodes[0].reason).toBe('base(c|)');
    expect(leavesOf(trees[0].nodes).map((n) => n.reason)).toEqual([
      'base(a,b|x)>L1d0>L2d0',
      'base(a,b|x)>L1d0>L2d1',
      'base(a,b|x)>L1d1>L2d0',
      'base(a,b|x)>L1d1>L2d1',
    ]);
    expect(trees[0].behaviour).toBe('title a ; title b');
  });

  it('selects per strategy: base-only the root, thought-space the best-agreeing leaf, random-leaf seeded per user', async () => {
    const trees = await buildTrees({
      cases,
      source,
      branching: [3],
      render: () => 'behaviour',
      label: 'test',
      silent: true,
    });
    // A space where a leaf agrees with the behaviour by its direction index.
    const vec = (t: string) =>
      t === 'behaviour'
        ? Float32Array.from([1, 0])
        : Float32Array.from([t.endsWith('d1') ? 1 : 0.2, 0]);
    const space = {
      encodeRationales: async (ts: readonly string[]) => ts.map(vec),
      encodeBehaviours: async (ts: readonly string[]) => ts.map(vec),
    };
    const agreement = { 'thought-space': thoughtSpaceAgreement(space) };
    const users = ['u1', 'u2'];
    const pick = (strategy: 'base-only' | 'thought-space' | 'random-leaf', seed = 1) =>
      selectAll({ trees, strategy, seed, users, agreement });
    expect(await pick('base-only')).toEqual(['base(a,b|x)', 'base(c|)']);
    expect(await pick('thought-space')).toEqual(['base(a,b|x)>L1d1', 'base(c|)>L1d1']);
    const r1 = await pick('random-leaf', 1);
    expect(await pick('random-leaf', 1)).toEqual(r1);
    const leaves = trees.map((t) => leavesOf(t.nodes).map((n) => n.reason));
    r1.forEach((r, i) => expect(leaves[i]).toContain(r));
    await expect(
      selectAll({ trees, strategy: 'generic-semantic', seed: 1, users, agreement }),
    ).rejects.toThrow(/no agreement function/);
  });
});
