import { DIRECTIONS, parseDirection, refinementDirections } from './directions';

describe('refinementDirections', () => {
  it('is deterministic, distinct and level-dependent', () => {
    expect(refinementDirections(3, 1)).toEqual([
      'brand loyalty',
      'product type/category',
      'ingredient/feature',
    ]);
    expect(refinementDirections(3, 1)).toEqual(refinementDirections(3, 1));
    expect(refinementDirections(3, 2)).not.toEqual(refinementDirections(3, 1));
    const many = refinementDirections(DIRECTIONS.length + 2, 1);
    expect(new Set(many).size).toBe(many.length);
    expect(parseDirection(many[DIRECTIONS.length])).toEqual({ operator: 'brand loyalty', rank: 1 });
  });

  it('rejects bad counts and levels', () => {
    expect(() => refinementDirections(0, 1)).toThrow(/count/);
    expect(() => refinementDirections(2, 0)).toThrow(/level/);
  });
});
