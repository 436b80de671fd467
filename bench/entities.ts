/**
 * What replacing the hand-written HTML entity table with the `entities`
 * package (full HTML5, `decodeHTML`) does to the bundled datasets' text.
 *
 * 1. Every raw text field the readers decode (item titles and descriptions,
 *    MovieLens titles, UniSRec item text, review bodies and summaries) is
 *    decoded by the old code, loaded from git at --old-ref and transpiled, and
 *    by the current `cleanText`/`cleanJoined`; fields and items that change
 *    are counted, with item-text examples (review text is user data: counted,
 *    never printed).
 * 2. With --before <root> (folders `<root>/<preset>` written by
 *    `data prepare` on the old build), each preset is prepared again and its
 *    manifest hash and stored item text are compared with the old folder's.
 *
 * Writes bench/results/entities.json.
 *   npm run bench -- entities [--old-ref <git ref>] [--before <root> [--before-note <how it was made>]]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import ts from 'typescript';
import { tableFromIPC } from 'apache-arrow';
import {
  cleanJoined,
  cleanText,
  findPreset,
  prepareDataset,
  resolvePresetDir,
} from '@thoughtspace/data';

const REPO = resolve(__dirname, '..', '..');
const OLD_TABLE = 'packages/data/src/readers/html-entities.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: REPO, encoding: 'utf8' }).trim();
}

interface Decoder {
  cleanText(value: unknown): string | undefined;
  cleanJoined(value: unknown, separator: string): string | undefined;
}

/** The last commit with the hand-written table: HEAD while it exists, else the parent of the commit that removed it. */
function defaultOldRef(): string {
  try {
    git('cat-file', '-e', `HEAD:${OLD_TABLE}`);
    return git('rev-parse', 'HEAD');
  } catch {
    return git('rev-parse', `${git('rev-list', '-n', '1', 'HEAD', '--', OLD_TABLE)}^`);
  }
}

/** Load the old text.ts (and its entity table) from git, transpiled to CommonJS. */
function loadOldDecoder(ref: string): Decoder {
  const compile = (path: string, req: (name: string) => unknown): Record<string, unknown> => {
    const source = git('show', `${ref}:${path}`);
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const module = { exports: {} as Record<string, unknown> };
    new Function('exports', 'require', 'module', js)(module.exports, req, module);
    return module.exports;
  };
  const table = compile(OLD_TABLE, () => {
    throw new Error('html-entities.ts imports nothing');
  });
  return compile('packages/data/src/readers/text.ts', (name) => {
    if (name === './html-entities') return table;
    throw new Error(`old text.ts imports ${name}`);
  }) as unknown as Decoder;
}

/** One raw text field as a reader decodes it. */
interface Field {
  item: string;
  field: string;
  raw: unknown;
  joined?: string;
  /** Review text is user data: counted, never shown. */
  private?: boolean;
}

function* jsonLines(path: string): Generator<Record<string, unknown>> {
  const buf = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
  for (const line of text.split('\n')) if (line.trim()) yield JSON.parse(line);
}

function* tsvColumn(path: string, column: string, encoding: BufferEncoding): Generator<Field> {
  const [header, ...rows] = readFileSync(path, encoding).split('\n');
  const names = header.split('\t').map((h) => h.split(':')[0]);
  const at = names.indexOf(column);
  if (at < 0) throw new Error(`${path}: no column ${column} in ${names.join(', ')}`);
  for (const row of rows) {
    if (!row.trim()) continue;
    const cells = row.split('\t');
    yield { item: cells[0], field: column, raw: cells[at] };
  }
}

/** The raw text fields of each bundled dataset that has text, as its reader passes them to cleanText. */
const SOURCES: { preset: string; fields: (dir: string) => Iterable<Field> }[] = [
  ...['luxury-beauty-2018', 'all-beauty-2018'].map((preset) => ({
    preset,
    *fields(dir: string): Iterable<Field> {
      const file = join(
        dir,
        `${preset.startsWith('luxury') ? 'Luxury_Beauty' : 'All_Beauty'}_items.jsonl`,
      );
      for (const rec of jsonLines(file)) {
        const item = String(rec.item_id);
        yield { item, field: 'title', raw: rec.title };
        yield { item, field: 'description', raw: rec.description, joined: '\n' };
      }
    },
  })),
  // MovieLens item files are latin1 (see the recbole reader).
  {
    preset: 'ml-100k',
    fields: (dir) => tsvColumn(join(dir, 'ml-100k.item'), 'movie_title', 'latin1'),
  },
  {
    preset: 'scientific-2018',
    fields: (dir) => tsvColumn(join(dir, 'Scientific.text'), 'text', 'utf8'),
  },
  {
    preset: 'all-beauty-2018-reviews',
    *fields(dir: string): Iterable<Field> {
      for (const rec of jsonLines(join(dir, 'All_Beauty_5.json.gz'))) {
        const item = String(rec.asin);
        yield { item, field: 'reviewText', raw: rec.reviewText, private: true };
        yield { item, field: 'summary', raw: rec.summary, private: true };
      }
    },
  },
];

/** A short window around the first difference, newlines shown as \n. */
function around(a: string, b: string): { old: string; new: string } {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const cut = (s: string): string => s.slice(Math.max(0, i - 40), i + 40).replace(/\n/g, '\\n');
  return { old: cut(a), new: cut(b) };
}

async function compareBefore(root: string, preset: string) {
  const dir = join(root, preset);
  if (!existsSync(join(dir, 'manifest.json'))) return undefined;
  const before = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
    hash: string;
    format: string;
  };
  const now = await prepareDataset({ dataset: preset });
  const oldItems = tableFromIPC(await readFile(join(dir, 'items.arrow'))).toArray() as Record<
    string,
    unknown
  >[];
  const text = (r: Record<string, unknown>): string =>
    JSON.stringify([
      r.title ?? null,
      r.description ?? null,
      r.brand ?? null,
      r.categories ? Array.from(r.categories as Iterable<string>) : null,
      r.attributes ?? null,
    ]);
  let itemsChanged = 0;
  now.dataset.items.forEach((it, i) => {
    const mine = {
      title: it.title,
      description: it.description,
      brand: it.brand,
      categories: it.categories,
      attributes: it.attributes ? JSON.stringify(it.attributes) : undefined,
    };
    if (text(mine) !== text(oldItems[i])) itemsChanged++;
  });
  let reviewsChanged = 0;
  const inter = tableFromIPC(await readFile(join(dir, 'interactions.arrow')));
  const oldReviews = inter.getChild('review')
    ? Array.from(inter.getChild('review') as Iterable<unknown>)
    : [];
  const oldSummaries = inter.getChild('summary')
    ? Array.from(inter.getChild('summary') as Iterable<unknown>)
    : [];
  const newReviews = (now.dataset.reviews ?? []).flat();
  const newSummaries = (now.dataset.summaries ?? []).flat();
  newReviews.forEach((r, i) => {
    if (
      (r ?? null) !== (oldReviews[i] ?? null) ||
      (newSummaries[i] ?? null) !== (oldSummaries[i] ?? null)
    )
      reviewsChanged++;
  });
  return {
    preset,
    beforeFolder: dir,
    beforeFormat: before.format,
    beforeManifestHash: before.hash,
    afterManifestHash: now.manifest.hash,
    manifestHashUnchanged: before.hash === now.manifest.hash,
    items: now.dataset.items.length,
    storedItemsWithChangedText: itemsChanged,
    storedReviewsChanged: reviewsChanged,
  };
}

async function main(): Promise<void> {
  const oldRef = git('rev-parse', arg('old-ref') ?? defaultOldRef());
  const before = arg('before');
  const oldDecoder = loadOldDecoder(oldRef);
  const newDecoder: Decoder = { cleanText, cleanJoined };
  const entitiesVersion = (
    JSON.parse(
      readFileSync(join(dirname(require.resolve('entities')), '..', '..', 'package.json'), 'utf8'),
    ) as {
      version: string;
    }
  ).version;
  const datasets = [];
  for (const source of SOURCES) {
    const preset = findPreset(source.preset);
    if (!preset) throw new Error(`unknown preset ${source.preset}`);
    const dir = resolvePresetDir(preset);
    let fields = 0;
    let withAmpersand = 0;
    let changed = 0;
    const items = new Set<string>();
    const examples: { item: string; field: string; old: string; new: string }[] = [];
    for (const f of source.fields(dir)) {
      fields++;
      if (
        typeof f.raw === 'string' ? f.raw.includes('&') : JSON.stringify(f.raw ?? '').includes('&')
      )
        withAmpersand++;
      const decode = (d: Decoder): string =>
        (f.joined !== undefined ? d.cleanJoined(f.raw, f.joined) : d.cleanText(f.raw)) ?? '';
      const a = decode(oldDecoder);
      const b = decode(newDecoder);
      if (a === b) continue;
      changed++;
      items.add(f.item);
      if (!f.private && examples.length < 10)
        examples.push({ item: f.item, field: f.field, ...around(a, b) });
    }
    datasets.push({
      preset: source.preset,
      folder: dir,
      fieldsExamined: fields,
      fieldsWithAmpersand: withAmpersand,
      fieldsChanged: changed,
      itemsChanged: items.size,
      examples,
    });
    console.log(
      `${source.preset}: ${changed} of ${fields} text fields change (${items.size} items); ${withAmpersand} fields contain '&'`,
    );
    for (const e of examples) console.log(`  item ${e.item} ${e.field}: "${e.old}" -> "${e.new}"`);
  }
  const comparisons = [];
  if (before) {
    for (const source of SOURCES) {
      const c = await compareBefore(resolve(before), source.preset);
      if (!c) continue;
      comparisons.push(c);
      console.log(
        `${c.preset}: manifest ${c.beforeManifestHash.slice(0, 12)} -> ${c.afterManifestHash.slice(0, 12)} ` +
          `(${c.manifestHashUnchanged ? 'unchanged' : 'CHANGED'}); stored items with changed text ${c.storedItemsWithChangedText} of ${c.items}; reviews changed ${c.storedReviewsChanged}`,
      );
    }
  }
  const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
  const result = {
    benchmark: 'html-entities',
    oldDecoder: { ref: oldRef, files: [OLD_TABLE, 'packages/data/src/readers/text.ts'] },
    newDecoder: `entities@${entitiesVersion} decodeHTML, via @thoughtspace/data cleanText`,
    sourceFiles: Object.fromEntries(
      SOURCES.flatMap((s) => {
        const preset = findPreset(s.preset);
        if (!preset) return [];
        const dir = resolvePresetDir(preset);
        return [[s.preset, sha256Dir(dir, sha)]];
      }),
    ),
    datasets,
    beforeAfter: comparisons,
    beforeNote: arg('before-note'),
    command: `npm run bench -- entities --old-ref ${oldRef}${before ? ` --before ${before}` : ''}${arg('before-note') ? ' --before-note ...' : ''}`,
    createdAt: new Date().toISOString(),
  };
  const outDir = resolve(__dirname, '..', 'results');
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'entities.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${join(outDir, 'entities.json')}`);
}

/** sha256 of every file in a dataset folder, naming exactly the data measured. */
function sha256Dir(dir: string, sha: (p: string) => string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((n) => !n.startsWith('.'))
      .sort()
      .map((n) => [n, sha(join(dir, n))]),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
