import { expandTree, leavesOf } from './tree';
import { selectReason } from './select';

const refine = async (parent: string, direction: string) => `${parent} > ${direction}`;
const directions = (count: number, level: number) =>
  Array.from({ length: count }, (_, i) => `L${level}d${i}`);

describe('expandTree', () => {
  it('builds b1 x b2 leaves breadth first with parent links', async () => {
    const nodes = await expandTree({ base: 'base', branching: [2, 3], refine, directions });
    expect(nodes).toHaveLength(1 + 2 + 6);
    const leaves = leavesOf(nodes);
    expect(leaves).toHaveLength(6);
    expect(leaves[0].reason).toBe('base > L1d0 > L2d0');
    expect(leaves[5].reason).toBe('base > L1d1 > L2d2');
    for (const l of leaves) expect(nodes[l.parent as number].depth).toBe(1);
  });

  it('supports other depths and rejects bad branching', async () => {
    expect(
      leavesOf(await expandTree({ base: 'b', branching: [3], refine, directions })),
    ).toHaveLength(3);
    expect(
      leavesOf(await expandTree({ base: 'b', branching: [2, 2, 2], refine, directions })),
    ).toHaveLength(8);
    await expect(expandTree({ base: 'b', branching: [], refine, directions })).rejects.toThrow(
      /depth must be 1-4/,
    );
    await expect(expandTree({ base: 'b', branching: [2, 0], refine, directions })).rejects.toThrow(
      /branching\[1\]/,
    );
  });
});

describe('selectReason', () => {
  it('keeps the leaf with maximal agreement, the root for base-only, a seeded leaf for random', async () => {
    const nodes = await expandTree({ base: 'base', branching: [2, 3], refine, directions });
    const agreement = async (reasons: string[]) =>
      Float64Array.from(reasons, (r) => (r.endsWith('L1d1 > L2d1') ? 1 : 0));
    const best = await selectReason({
      strategy: 'thought-space',
      nodes,
      behaviour: 'h',
      seed: 's',
      agreement: { 'thought-space': agreement },
    });
    expect(best.node.reason).toBe('base > L1d1 > L2d1');
    expect(
      (await selectReason({ strategy: 'base-only', nodes, behaviour: 'h', seed: 's' })).node.reason,
    ).toBe('base');
    const r1 = await selectReason({ strategy: 'random-leaf', nodes, behaviour: 'h', seed: 's1' });
    const r1again = await selectReason({
      strategy: 'random-leaf',
      nodes,
      behaviour: 'h',
      seed: 's1',
    });
    expect(r1.node.id).toBe(r1again.node.id);
    const picked = new Set<number>();
    for (let i = 0; i < 50; i++)
      picked.add(
        (await selectReason({ strategy: 'random-leaf', nodes, behaviour: 'h', seed: `u${i}` })).node
          .id,
      );
    expect(picked.size).toBe(6);
    await expect(
      selectReason({ strategy: 'log-likelihood', nodes, behaviour: 'h', seed: 's' }),
    ).rejects.toThrow(/no agreement function/);
  });
});
