import { createSelectorDomain, type TreeWriter } from './selector';

describe('createSelectorDomain expand', () => {
  const history = { interactions: [{ itemId: 'a' }, { itemId: 'b' }] };
  const agreement = async () => new Float64Array();

  it('asks rationale-gen once for the whole tree and lays it out breadth-first', async () => {
    const calls: { base?: string; branching: readonly number[] }[] = [];
    const writeTree: TreeWriter = async (req) => {
      calls.push({ base: req.base, branching: req.branching });
      // Level 1 parent by parent, then level 2 parent by parent.
      const level1 = ['B/0', 'B/1'];
      const level2 = level1.flatMap((p) => [0, 1, 2].map((i) => `${p}/${i}`));
      return { texts: [...level1, ...level2], provider: 'fake', model: 'm' };
    };
    const domain = createSelectorDomain({ writeTree, agreement });
    const tree = await domain.expand({ history, base: 'B', branching: [2, 3] }, {});
    expect(calls).toEqual([{ base: 'B', branching: [2, 3] }]);
    expect(tree.nodes.map((n) => [n.id, n.parent, n.depth, n.reason])).toEqual([
      [0, null, 0, 'B'],
      [1, 0, 1, 'B/0'],
      [2, 0, 1, 'B/1'],
      [3, 1, 2, 'B/0/0'],
      [4, 1, 2, 'B/0/1'],
      [5, 1, 2, 'B/0/2'],
      [6, 2, 2, 'B/1/0'],
      [7, 2, 2, 'B/1/1'],
      [8, 2, 2, 'B/1/2'],
    ]);
    expect(tree).toMatchObject({ provider: 'fake', model: 'm' });
  });

  it('says so when rationale-gen returns another number of refinements than the tree has', async () => {
    const short: TreeWriter = async () => ({ texts: ['only one'], provider: 'fake', model: 'm' });
    const domain = createSelectorDomain({ writeTree: short, agreement });
    await expect(domain.expand({ history, base: 'B', branching: [2, 3] }, {})).rejects.toThrow(
      'rationale-gen returned 1 refinements, the tree has 8',
    );
  });
});

describe('createSelectorDomain prepare', () => {
  it("starts the agreement's history part for the thought-space strategy only", () => {
    const history = { interactions: [{ itemId: 'a' }, { itemId: 'b' }] };
    const started: string[] = [];
    const domain = createSelectorDomain({
      writeTree: async () => ({ texts: [], provider: 'fake', model: 'm' }),
      agreement: async () => new Float64Array(),
      prefetchAgreement: (h) => started.push(h.interactions.map((i) => i.itemId).join(',')),
    });
    domain.prepare({ history, strategy: 'random-leaf' });
    domain.prepare({ history, strategy: 'base-only' });
    expect(started).toEqual([]);
    domain.prepare({ history, strategy: 'thought-space' });
    expect(started).toEqual(['a,b']);
  });
});
