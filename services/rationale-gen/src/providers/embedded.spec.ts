import type { Dataset, EvalCase, Item } from '@thoughtspace/data';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { refinementDirections } from '../domain/directions';
import { historyOf, loadCases } from '../test-helpers';
import { itemLabel } from '@thoughtspace/text';
import { createEmbeddedProvider } from './embedded';

const provider = createEmbeddedProvider();

/** Items of other users (never this user's target or history), as candidate-gen's similar users would give. */
function similarItems(ds: Dataset, cases: EvalCase[], c: EvalCase, count: number): Item[] {
  const own = new Set([...c.history, c.target]);
  const out: Item[] = [];
  for (const other of cases) {
    if (other.user === c.user) continue;
    for (const idx of other.history) {
      if (!own.has(idx) && !out.includes(ds.items[idx])) out.push(ds.items[idx]);
      if (out.length >= count) return out;
    }
  }
  return out;
}

describe('embedded provider on luxury-beauty-2018 (titles and descriptions, no reviews)', () => {
  let ds: Dataset;
  let cases: EvalCase[];
  beforeAll(async () => {
    ({ dataset: ds, cases } = await loadCases('luxury-beauty-2018'));
  });

  it('base reasons cite grounded history evidence and never the held-out target', async () => {
    const sample = cases.filter((c) => c.history.length >= 5).slice(0, 200);
    let grounded = 0;
    for (const c of sample) {
      const history = historyOf(ds, c);
      const target = ds.items[c.target];
      const r = await provider.generate({
        kind: 'base',
        history,
        similarItems: similarItems(ds, cases, c, 10),
      });
      expect(r).toMatchObject({ provider: 'embedded', model: 'none', kind: 'base' });
      const text = `${r.reason}\n${r.evidence.join('\n')}`;
      const historyIds = new Set(history.map((h) => h.item.id));
      if (history.some((h) => historyIds.has(h.item.id) && text.includes(`${h.item.id}`)))
        grounded++;
      if (!historyIds.has(target.id)) {
        expect(text).not.toMatch(new RegExp(`\\b${target.id}\\b`));
        // Another item may share a title prefix; the target's whole label must not appear.
        if (target.title) expect(text).not.toContain(`"${itemLabel(target, 50)}"`);
      }
    }
    expect(grounded / sample.length).toBeGreaterThan(0.9);
  });

  it('mines the repeated brand from titles and cites its items', async () => {
    // A user with three "Crabtree & Evelyn" items and three "Revision Skincare" items.
    const c = cases.find((t) => {
      const titles = Array.from(t.history, (i) => ds.items[i].title ?? '');
      return titles.filter((x) => x.startsWith('Crabtree & Evelyn')).length >= 3;
    })!;
    const history = historyOf(ds, c);
    const r = await provider.generate({
      kind: 'refine',
      history,
      parent: 'The user likes hand care.',
      direction: 'brand loyalty',
    });
    expect(r.reason).toMatch(
      /^Across \d+ purchases the user [^]*\. Refined for brand loyalty: they stay loyal to /,
    );
    expect(r.evidence[0]).toMatch(/^brand \(from titles\): /);
    const brand = r.evidence[0]
      .replace(/^brand \(from titles\): /, '')
      .replace(/ \(\d+ items.*$/, '');
    expect(history.filter((h) => h.item.title?.startsWith(brand)).length).toBeGreaterThanOrEqual(2);
  });

  it('positive reasons connect the target to the history', async () => {
    const c = cases.find((t) => t.history.length >= 5)!;
    const r = await provider.generate({
      kind: 'positive',
      history: historyOf(ds, c),
      target: ds.items[c.target],
    });
    expect(r.reason).toContain(`The user chose "`);
    expect(r.evidence[0].startsWith(`target item ${ds.items[c.target].id}`)).toBe(true);
  });

  it('refine in different directions gives different reasons; deterministic', async () => {
    const c = cases.filter((t) => t.history.length >= 6)[3];
    const history = historyOf(ds, c);
    const parent = (await provider.generate({ kind: 'base', history })).reason;
    const directions = refinementDirections(6, 1);
    const reasons = await Promise.all(
      directions.map(
        async (direction) =>
          (await provider.generate({ kind: 'refine', history, parent, direction })).reason,
      ),
    );
    expect(new Set(reasons).size).toBe(directions.length);
    const again = await provider.generate({
      kind: 'refine',
      history,
      parent,
      direction: directions[2],
    });
    expect(again.reason).toBe(reasons[2]);
  });

  it('remembers mined histories without mixing up items that share an id', async () => {
    const c = cases.filter((t) => t.history.length >= 6)[5];
    const history = historyOf(ds, c);
    const first = await provider.generate({ kind: 'base', history });
    // Same history again (fresh entry objects, same items): the same reason.
    expect((await provider.generate({ kind: 'base', history: historyOf(ds, c) })).reason).toBe(
      first.reason,
    );
    // The same ids from another catalogue (every title renamed) must be mined afresh.
    const renamed = history.map((e) => ({
      ...e,
      item: { ...e.item, title: `Zyxwvut ${e.item.title ?? ''}`, brand: 'Zyxwvut' },
    }));
    const other = await provider.generate({ kind: 'base', history: renamed });
    expect(other.reason).not.toBe(first.reason);
    expect(other.reason).toContain('Zyxwvut');
    // And a changed review is a different history.
    const reviewed = history.map((e, i) =>
      i === 0 ? { ...e, review: 'Great vanilla scent.' } : e,
    );
    expect((await provider.generate({ kind: 'base', history: reviewed })).reason).not.toBe(
      first.reason,
    );
  });

  it("reads each item's text once, with the reasons fresh copies of the items give", async () => {
    const c = cases.filter((t) => t.history.length >= 6)[7];
    const neighbours = similarItems(ds, cases, c, 12);
    const tree = async (history: ReturnType<typeof historyOf>, similar: Item[]) => {
      const base = await provider.generate({ kind: 'base', history, similarItems: similar });
      const refined = await Promise.all(
        refinementDirections(8, 1).map((direction) =>
          provider.generate({
            kind: 'refine',
            history,
            similarItems: similar,
            parent: base.reason,
            direction,
          }),
        ),
      );
      return [base, ...refined].map((r) => [r.reason, r.evidence]);
    };
    // Twice with the catalogue's items (the second reads the remembered text), then with
    // copies no memo has seen: the same reasons and evidence every time.
    const first = await tree(historyOf(ds, c), neighbours);
    expect(await tree(historyOf(ds, c), neighbours)).toEqual(first);
    const copies = historyOf(ds, c).map((e) => ({ ...e, item: structuredClone(e.item) }));
    expect(
      await tree(
        copies,
        neighbours.map((i) => structuredClone(i)),
      ),
    ).toEqual(first);
  });

  it('gives every refinement of a 2 x 3 tree its own kind of evidence, neighbours included', async () => {
    // This dataset has titles only (no price, brand field or reviews): price band and review
    // aspects fall back to other kinds, at their second-strongest signal.
    let distinctLeaves = 0;
    let neighbourLeaves = 0;
    const sample = cases.filter((t) => t.history.length >= 5).slice(0, 40);
    for (const c of sample) {
      const history = historyOf(ds, c);
      const similar = similarItems(ds, cases, c, 10);
      const base = (await provider.generate({ kind: 'base', history, similarItems: similar }))
        .reason;
      const refine = async (parent: string, direction: string) =>
        (
          await provider.generate({
            kind: 'refine',
            history,
            parent,
            direction,
            similarItems: similar,
          })
        ).reason;
      const level1 = refinementDirections(2, 1, 0);
      const parents = await Promise.all(level1.map((d) => refine(base, d)));
      const leaves = (
        await Promise.all(
          parents.map((p, i) =>
            Promise.all(refinementDirections(3, 2, 2 + 3 * i).map((d) => refine(p, d))),
          ),
        )
      ).flat();
      // Each leaf: the path's two refinements, then its own; the base's neighbours sentence is gone.
      const own = leaves.map((l) => l.slice(l.lastIndexOf('Refined for ')));
      for (const l of leaves) expect(l.match(/Refined for /g)).toHaveLength(2);
      if (new Set(own).size === leaves.length) distinctLeaves++;
      if (leaves.some((l) => /Refined for similar users' picks: Users with similar/.test(l)))
        neighbourLeaves++;
      // Leak-free: no leaf names the held-out target (unless a history item has the same title).
      const target = ds.items[c.target];
      const label = itemLabel(target, 50);
      if (target.title && !history.some((h) => itemLabel(h.item, 50) === label))
        for (const l of leaves) expect(l).not.toContain(`"${label}"`);
    }
    expect(distinctLeaves / sample.length).toBeGreaterThan(0.9);
    expect(neighbourLeaves).toBe(sample.length);
  });

  it('rejects a base or refine request that carries the target (leakage rule)', async () => {
    const c = cases[0];
    const history = historyOf(ds, c);
    const target = ds.items[c.target];
    await expect(provider.generate({ kind: 'base', history, target })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(
      provider.generate({
        kind: 'refine',
        history,
        target,
        parent: 'x',
        direction: 'brand loyalty',
      }),
    ).rejects.toThrow(/leakage rule/);
  });
});

describe('embedded provider on all-beauty-2018-reviews (reviews and ratings, no item text)', () => {
  let ds: Dataset;
  let cases: EvalCase[];
  beforeAll(async () => {
    ({ dataset: ds, cases } = await loadCases('all-beauty-2018-reviews'));
  });

  it('grounds reasons in review aspects and ratings, naming items by id', async () => {
    let withOpinion = 0;
    for (const c of cases.slice(0, 60)) {
      const history = historyOf(ds, c);
      const r = await provider.generate({ kind: 'base', history });
      expect(r.reason.length).toBeGreaterThan(20);
      const cited = history.some(
        (h) =>
          r.reason.includes(`item ${h.item.id}`) || r.evidence.some((e) => e.includes(h.item.id)),
      );
      expect(cited).toBe(true);
      if (r.evidence.some((e) => e.startsWith('review of item '))) withOpinion++;
      expect(`${r.reason} ${r.evidence.join(' ')}`).not.toMatch(
        new RegExp(`\\b${ds.items[c.target].id}\\b`),
      );
    }
    expect(withOpinion).toBeGreaterThan(10);
  });

  it('review aspects direction quotes a review of the user', async () => {
    const c = cases.find((t) => historyOf(ds, t).some((h) => /smell|scent/i.test(h.review ?? '')))!;
    const history = historyOf(ds, c);
    const r = await provider.generate({
      kind: 'refine',
      history,
      parent: 'They buy body wash.',
      direction: 'review aspects',
    });
    // The lead is the composer's own summary of the history (not the parent's free text).
    expect(r.reason).toMatch(
      /^Across \d+ purchases the user [^]*\. Refined for review aspects: their reviews (praise|criticise) the /,
    );
    expect(r.reason).not.toContain('They buy body wash');
    const quote = /\("([^"]+)" on /.exec(r.reason)![1].replace(/…$/, '');
    expect(
      history.some((h) => (h.review ?? '').replace(/\s+/g, ' ').includes(quote.slice(0, 20))),
    ).toBe(true);
  });
});
