import { NEIGHBOUR_POOL, neighbourPool } from './phase-two';

describe('neighbourPool', () => {
  it('is every user, in order, up to the cap (the search is unchanged there)', () => {
    const { members, position } = neighbourPool(1000);
    expect(Array.from(members)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(position)).toEqual(Array.from(members));
    expect(NEIGHBOUR_POOL).toBe(50_000);
  });

  it('past the cap, a seeded sample of exactly the cap, the same on every call', () => {
    const a = neighbourPool(5000, 1200);
    const b = neighbourPool(5000, 1200);
    expect(a.members).toHaveLength(1200);
    expect(Array.from(a.members)).toEqual(Array.from(b.members));
    for (let i = 1; i < a.members.length; i++)
      expect(a.members[i]).toBeGreaterThan(a.members[i - 1]);
    let inPool = 0;
    a.position.forEach((p, u) => {
      if (p < 0) return;
      inPool++;
      expect(a.members[p]).toBe(u);
    });
    expect(inPool).toBe(1200);
    // Spread over the whole range, not the first users.
    expect(a.members[a.members.length - 1]).toBeGreaterThan(4000);
    expect(a.members[0]).toBeLessThan(1000);
  });
});
