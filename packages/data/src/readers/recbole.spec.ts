import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { readRecbole } from './recbole';
import { sharedData as dataFile } from '../internal/shared-data';

describe('readRecbole on ml-100k', () => {
  it('reads interactions with ratings and timestamps, and items with titles and genres', async () => {
    const raw = await readRecbole({
      inter: dataFile('ml-100k', 'ml-100k.inter'),
      item: dataFile('ml-100k', 'ml-100k.item'),
    });
    expect(raw.reader).toBe('recbole');
    expect(raw.interactions).toHaveLength(100000);
    expect(new Set(raw.interactions.map((e) => e.user)).size).toBe(943);
    expect(new Set(raw.interactions.map((e) => e.item)).size).toBe(1682);
    expect(raw.report).toMatchObject({ lines: 100000 + 1682, malformed: 0 });
    expect(raw.interactions[0]).toEqual({
      user: '196',
      item: '242',
      rating: 3,
      timestamp: 881250949,
    });
    expect(raw.interactions.reduce((s, e) => s + (e.rating as number), 0)).toBe(352986);
    const times = raw.interactions.map((e) => e.timestamp as number);
    expect(Math.min(...times)).toBe(874724710);
    expect(Math.max(...times)).toBe(893286638);

    expect(raw.items).toHaveLength(1682);
    expect(raw.items.every((it) => it.title !== undefined)).toBe(true);
    expect(raw.items[0]).toEqual({
      id: '1',
      title: 'Toy Story',
      categories: ['Animation', "Children's", 'Comedy'],
      attributes: { release_year: '1995', genres: "Animation, Children's, Comedy" },
    });
    expect(raw.items.find((it) => it.id === '543')?.title).toBe('Misérables, Les');
    expect(new Set(raw.items.flatMap((it) => it.categories ?? [])).size).toBe(19);
  });
});

describe('readRecbole headers', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'readers-recbole-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds columns by name in any order and keeps unknown item columns as attributes', async () => {
    const inter = join(dir, 'a.inter');
    const item = join(dir, 'a.item');
    writeFileSync(
      inter,
      'timestamp:float\titem_id:token\tuser_id:token\n5\tB1\tu1\n\tB2\tu1\nx\tB2\tu2\n',
    );
    writeFileSync(
      item,
      'item_id:token\ttitle:token\tprice:float\tbrand:token\tcategories:token_seq\tsales_type:token\n' +
        "B1\tA &amp; B\t9.5\tAcme\t'Beauty', 'Skin Care'\tBeauty\n",
    );
    const raw = await readRecbole({ inter, item });
    expect(raw.interactions).toEqual([
      { user: 'u1', item: 'B1', timestamp: 5 },
      { user: 'u1', item: 'B2' },
    ]);
    expect(raw.report.malformedSamples).toEqual([
      { file: inter, line: 4, reason: 'timestamp is not a number' },
    ]);
    expect(raw.items).toEqual([
      {
        id: 'B1',
        title: 'A & B',
        price: 9.5,
        brand: 'Acme',
        categories: ['Beauty', 'Skin Care'],
        attributes: { sales_type: 'Beauty' },
      },
      { id: 'B2' },
    ]);
  });

  it('rejects an untyped header or one without user_id, naming the file', async () => {
    const untyped = join(dir, 'b.inter');
    writeFileSync(untyped, 'user_id\titem_id\n1\t2\n');
    await expect(readRecbole({ inter: untyped })).rejects.toThrow(InvalidArgumentError);
    const noUser = join(dir, 'c.inter');
    writeFileSync(noUser, 'uid:token\titem_id:token\n1\t2\n');
    await expect(readRecbole({ inter: noUser })).rejects.toThrow(
      `${noUser}: header has no user_id column (found uid, item_id)`,
    );
  });
});
