import { createSelectorDomain, type Refiner } from './selector';

describe('createSelectorDomain expand', () => {
  const history = { interactions: [{ itemId: 'a' }, { itemId: 'b' }] };
  const agreement = async () => new Float64Array();

  it('asks rationale-gen once per tree level, every parent of the level in one call', async () => {
    const calls: { parents: string[]; n: number }[] = [];
    const refine: Refiner = async (req) => {
      calls.push({ parents: req.parents, n: req.n });
      return {
        texts: req.parents.map((p) => Array.from({ length: req.n }, (_, i) => `${p}/${i}`)),
        provider: 'fake',
        model: 'm',
      };
    };
    const domain = createSelectorDomain({ refine, agreement });
    const tree = await domain.expand({ history, base: 'B', branching: [2, 3] }, {});
    expect(calls).toEqual([
      { parents: ['B'], n: 2 },
      { parents: ['B/0', 'B/1'], n: 3 },
    ]);
    expect(tree.nodes.map((n) => [n.id, n.parent, n.reason])).toEqual([
      [0, null, 'B'],
      [1, 0, 'B/0'],
      [2, 0, 'B/1'],
      [3, 1, 'B/0/0'],
      [4, 1, 'B/0/1'],
      [5, 1, 'B/0/2'],
      [6, 2, 'B/1/0'],
      [7, 2, 'B/1/1'],
      [8, 2, 'B/1/2'],
    ]);
    expect(tree).toMatchObject({ provider: 'fake', model: 'm' });
  });

  it('says so when rationale-gen returns fewer refinements than asked', async () => {
    const short: Refiner = async (req) => ({
      texts: req.parents.map(() => ['only one']),
      provider: 'fake',
      model: 'm',
    });
    const domain = createSelectorDomain({ refine: short, agreement });
    await expect(domain.expand({ history, base: 'B', branching: [2] }, {})).rejects.toThrow(
      'rationale-gen returned 1 refinements, 2 were asked for',
    );
  });
});
