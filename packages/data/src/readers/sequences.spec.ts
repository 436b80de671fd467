import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEvaluationSet } from '../candidates';
import { contentDigest } from '../manifest';
import { prepareDataset } from '../prepare';
import { detectFormat } from './detect';
import { MAX_ID_BYTES } from './ids';
import { readSequences } from './sequences';
import { sharedData as dataDir } from '../internal/shared-data';

/** Rewrite a "user item" pairs file as one "user item item ..." line per user, in first-seen user order. */
async function pairsToSequences(pairs: string, out: string): Promise<void> {
  const byUser = new Map<string, string[]>();
  for (const line of (await readFile(pairs, 'utf8')).split('\n')) {
    const [user, item] = line.trim().split(/\s+/);
    if (!user || !item) continue;
    const seq = byUser.get(user);
    if (seq) seq.push(item);
    else byUser.set(user, [item]);
  }
  const lines = [...byUser].map(([u, items]) => `${u} ${items.join(' ')}\n`);
  await writeFile(out, lines.join(''));
}

describe('one sequence per line, on all-beauty-2018 rewritten in that form', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ts-seq-'));
    const src = dataDir('all-beauty-2018');
    await pairsToSequences(join(src, 'All_Beauty.txt'), join(dir, 'All_Beauty.txt'));
    await symlink(join(src, 'All_Beauty_items.jsonl'), join(dir, 'All_Beauty_items.jsonl'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is detected as sequences with its items file', async () => {
    expect(await detectFormat(dir)).toEqual({
      reader: 'sequences',
      files: {
        sequences: join(dir, 'All_Beauty.txt'),
        items: join(dir, 'All_Beauty_items.jsonl'),
      },
    });
  });

  it.each([0, 5])(
    'gives the same counts, k-core report, content and evaluation set as the pairs form (kcore %d)',
    async (kcore) => {
      const pairs = await prepareDataset({
        dataset: dataDir('all-beauty-2018'),
        options: { kcore },
      });
      const seqs = await prepareDataset({ dataset: dir, options: { kcore } });
      expect(seqs.manifest.reader).toBe('sequences');
      expect(seqs.manifest.report).toEqual(pairs.manifest.report);
      expect(seqs.manifest.report.read).toEqual({ users: 2169, items: 1854, interactions: 10404 });
      expect(seqs.manifest.malformed.count).toBe(0);
      // Same users, items, sequences and item text; the manifest hash differs
      // only because it also covers the source files' sha256 and the reader name.
      expect(contentDigest(seqs.dataset)).toBe(contentDigest(pairs.dataset));
      expect(seqs.dataset.items).toEqual(pairs.dataset.items);
      expect(seqs.manifest.hash).not.toBe(pairs.manifest.hash);
      // Evaluation sets: same cases, and the same candidates for the same sampling key.
      const key = pairs.manifest.hash;
      for (const split of ['valid', 'test'] as const) {
        // The 5-core set keeps 24 items: fewer negatives there.
        const protocol = { kind: 'sampled', negatives: kcore === 0 ? 100 : 5 } as const;
        const a = buildEvaluationSet({
          dataset: pairs.dataset,
          datasetHash: key,
          split,
          protocol,
          seed: 1,
        });
        const b = buildEvaluationSet({
          dataset: seqs.dataset,
          datasetHash: key,
          split,
          protocol,
          seed: 1,
        });
        expect(b.cases.length).toBe(a.cases.length);
        expect(b.cases).toEqual(a.cases);
        expect(b.candidates).toEqual(a.candidates);
      }
    },
  );
});

describe('readSequences', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ts-seq-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('takes string ids, tabs and repeated users, and keeps item order', async () => {
    const path = join(dir, 'user_sequence.txt');
    await writeFile(path, 'A1B2 B00X B00Y\tB00Z\n\nu-2 B00Y\nA1B2 B00Q\n');
    const raw = await readSequences({ sequences: path });
    expect(raw.reader).toBe('sequences');
    expect(raw.interactions).toEqual([
      { user: 'A1B2', item: 'B00X' },
      { user: 'A1B2', item: 'B00Y' },
      { user: 'A1B2', item: 'B00Z' },
      { user: 'u-2', item: 'B00Y' },
      { user: 'A1B2', item: 'B00Q' },
    ]);
    expect(raw.items.map((it) => it.id)).toEqual(['B00X', 'B00Y', 'B00Z', 'B00Q']);
    expect(raw.report.lines).toBe(3);
    expect(raw.report.malformed).toBe(0);
  });

  it('counts a user without items and over-long ids as malformed, naming the field', async () => {
    const path = join(dir, 'seq.txt');
    const long = 'x'.repeat(MAX_ID_BYTES + 1);
    await writeFile(path, `u1 i1 i2\nlonely\n${long} i1\nu2 i1 ${long}\nu3 i3\n`);
    const raw = await readSequences({ sequences: path });
    expect(raw.interactions.map((e) => e.user)).toEqual(['u1', 'u1', 'u3']);
    expect(raw.report.malformed).toBe(3);
    expect(raw.report.malformedSamples.map((s) => [s.line, s.reason])).toEqual([
      [2, 'expected a user id followed by at least one item id, got 1 field'],
      [3, `user id is ${MAX_ID_BYTES + 1} bytes, longer than the ${MAX_ID_BYTES}-byte limit`],
      [
        4,
        `field 3: item id is ${MAX_ID_BYTES + 1} bytes, longer than the ${MAX_ID_BYTES}-byte limit`,
      ],
    ]);
    // Reasons never carry the line's content.
    for (const s of raw.report.malformedSamples) expect(s.reason).not.toContain('xxxx');
  });
});
