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

  it('asks for every refinement of a level at once, keeping breadth-first ids and directions', async () => {
    let inFlight = 0;
    let most = 0;
    const firsts: number[] = [];
    // Earlier parents answer later, so completion order is the reverse of the tree's order.
    const slow = async (parent: string, direction: string) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, parent.endsWith('d0') ? 30 : 5));
      inFlight--;
      return `${parent} > ${direction}`;
    };
    const nodes = await expandTree({
      base: 'base',
      branching: [2, 3],
      refine: slow,
      directions: (count, level, first) => {
        firsts.push(first);
        return directions(count, level);
      },
    });
    expect(most).toBe(6);
    expect(firsts).toEqual([0, 2, 5]);
    expect(nodes.map((n) => n.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(leavesOf(nodes).map((n) => [n.parent, n.reason])).toEqual([
      [1, 'base > L1d0 > L2d0'],
      [1, 'base > L1d0 > L2d1'],
      [1, 'base > L1d0 > L2d2'],
      [2, 'base > L1d1 > L2d0'],
      [2, 'base > L1d1 > L2d1'],
      [2, 'base > L1d1 > L2d2'],
    ]);
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
