import { DIRECTIONS, parseDirection, refinementDirections } from './directions';

describe('refinementDirections', () => {
  it('is deterministic, distinct and level-dependent', () => {
    expect(refinementDirections(3, 1)).toEqual([
      'brand loyalty',
      'product type/category',
      'price band',
    ]);
    expect(refinementDirections(3, 1)).toEqual(refinementDirections(3, 1));
    expect(refinementDirections(3, 2)).not.toEqual(refinementDirections(3, 1));
    const many = refinementDirections(DIRECTIONS.length + 2, 1);
    expect(new Set(many).size).toBe(many.length);
    expect(parseDirection(many[DIRECTIONS.length])).toEqual({ operator: 'brand loyalty', rank: 1 });
  });

  it('gives every refinement of a tree its own kind of evidence when told its place', () => {
    // A 2 x 3 tree: first-level nodes 0-1, second-level nodes 2-4 (under node 0) and 5-7.
    const tree = [
      ...refinementDirections(2, 1, 0),
      ...refinementDirections(3, 2, 2),
      ...refinementDirections(3, 2, 5),
    ];
    expect(tree).toEqual([...DIRECTIONS]);
    // Past eight refinements the kinds repeat at their second-strongest signal.
    const wide = refinementDirections(3, 2, 7);
    expect(wide.map(parseDirection)).toEqual([
      { operator: 'occasion/use', rank: 0 },
      { operator: 'brand loyalty', rank: 1 },
      { operator: 'product type/category', rank: 1 },
    ]);
    expect(() => refinementDirections(2, 1, -1)).toThrow(/first/);
  });

  it('rejects bad counts and levels', () => {
    expect(() => refinementDirections(0, 1)).toThrow(/count/);
    expect(() => refinementDirections(2, 0)).toThrow(/level/);
  });
});
