import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Float32,
  Float64,
  List,
  Field,
  Table,
  Utf8,
  Vector,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { DataLossError, NotFoundError } from '@thoughtspace/runtime';
import type { Dataset } from './dataset';
import { stageDir } from './internal/atomic-dir';
import type { Item } from './types';
import { DATASET_FORMAT, type Manifest, type StoredFile } from './manifest';

/**
 * On-disk layout of a processed dataset (a directory):
 *   manifest.json       provenance, options, counts, hash
 *   interactions.arrow  Arrow IPC file: user, item, position, timestamp?, rating?, review?, summary?
 *                       (one row per event, grouped by user, chronological)
 *   items.arrow         item, id, title?, description?, brand?, categories (list<utf8>)?, price?, attributes (JSON)?
 *   users.arrow         user, id
 * Arrow IPC files open directly in pyarrow, polars, DuckDB and arrow-js.
 */
export const STORE_FILES = {
  manifest: 'manifest.json',
  interactions: 'interactions.arrow',
  items: 'items.arrow',
  users: 'users.arrow',
} as const;

/** A dataset folder being written; see `createDatasetWriter`. */
export interface DatasetWriter {
  /** The folder the dataset will be in after `commit`. */
  readonly dir: string;
  /** Write every file into the staging folder, then move it into place. Returns the manifest as written. */
  commit(ds: Dataset, manifest: Manifest): Promise<Manifest>;
  /** Give up: remove the staging folder, leaving `dir` as it was. */
  abort(): Promise<void>;
}

/**
 * Start writing a dataset folder. The files go into a staging folder beside
 * `dir` that replaces it in one rename on `commit`, so a failure at any point
 * leaves the old folder whole. The staging folder is created here, so an
 * unwritable `dir` fails now, before the caller reads anything. An existing
 * `dir` may hold only the dataset files (STORE_FILES); anything else is refused
 * rather than deleted.
 */
export async function createDatasetWriter(options: { dir: string }): Promise<DatasetWriter> {
  const staged = await stageDir({ dir: options.dir, replaceable: Object.values(STORE_FILES) });
  return {
    dir: staged.target,
    abort: staged.abort,
    async commit(ds: Dataset, manifest: Manifest): Promise<Manifest> {
      try {
        const users = new Table({
          user: vectorFromArray(Int32Array.from(ds.userIds, (_, i) => i)),
          id: vectorFromArray(ds.userIds, new Utf8()),
        });
        const files: Record<string, StoredFile> = {};
        const put = async (name: string, bytes: Uint8Array): Promise<void> => {
          await writeFile(join(staged.staging, name), bytes);
          files[name] = { sha256: sha256(bytes), bytes: bytes.byteLength };
        };
        await put(STORE_FILES.interactions, tableToIPC(interactionsTable(ds), 'file'));
        await put(STORE_FILES.items, tableToIPC(itemsTable(ds.items), 'file'));
        await put(STORE_FILES.users, tableToIPC(users, 'file'));
        const written: Manifest = { ...manifest, format: DATASET_FORMAT, files };
        await writeFile(
          join(staged.staging, STORE_FILES.manifest),
          `${JSON.stringify(written, null, 2)}\n`,
        );
        await staged.commit();
        return written;
      } catch (err) {
        await staged.abort();
        throw err;
      }
    },
  };
}

/** Write a dataset folder in one step (see `createDatasetWriter`). */
export async function writeDataset(
  dir: string,
  ds: Dataset,
  manifest: Manifest,
): Promise<Manifest> {
  const writer = await createDatasetWriter({ dir });
  return writer.commit(ds, manifest);
}

export async function readManifest(dir: string): Promise<Manifest> {
  const path = join(dir, STORE_FILES.manifest);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new NotFoundError(`no processed dataset at ${dir} (missing ${STORE_FILES.manifest})`, {
      cause: err,
    });
  }
  const manifest = JSON.parse(text) as Manifest;
  if (manifest.format !== DATASET_FORMAT) {
    throw new DataLossError(
      `${path}: format is ${String(manifest.format)}, expected ${DATASET_FORMAT}; prepare the dataset again`,
    );
  }
  return manifest;
}

/** Read one stored file and check it against the manifest's sha256; errors name the file. */
async function readVerified(dir: string, manifest: Manifest, name: string): Promise<Uint8Array> {
  const path = join(dir, name);
  const want = manifest.files?.[name];
  if (want === undefined)
    throw new DataLossError(`${join(dir, STORE_FILES.manifest)} lists no sha256 for ${name}`);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new DataLossError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code})`, {
      cause: err,
    });
  }
  const got = sha256(bytes);
  if (got !== want.sha256) {
    throw new DataLossError(
      `${path}: sha256 ${got.slice(0, 12)}... (${bytes.length} bytes) does not match the manifest's ` +
        `${want.sha256.slice(0, 12)}... (${want.bytes} bytes): the file was changed after it was written; prepare the dataset again`,
    );
  }
  return bytes;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function readDataset(dir: string): Promise<{ dataset: Dataset; manifest: Manifest }> {
  const manifest = await readManifest(dir);
  const load = async (name: string): Promise<Table> =>
    tableFromIPC(await readVerified(dir, manifest, name));
  const [inter, items, users] = await Promise.all([
    load(STORE_FILES.interactions),
    load(STORE_FILES.items),
    load(STORE_FILES.users),
  ]);
  const userIds = (users.getChild('id')?.toArray() ?? []) as string[];
  const dataset = fromInteractionsTable(inter, userIds.length);
  dataset.userIds = Array.from(userIds);
  dataset.items = itemsFromTable(items);
  dataset.itemIds = dataset.items.map((it) => it.id);
  if (dataset.sequences.length !== manifest.report.final.users) {
    throw new DataLossError(
      `${dir}: ${dataset.sequences.length} users in ${STORE_FILES.interactions}, manifest says ${manifest.report.final.users}`,
    );
  }
  return { dataset, manifest };
}

function interactionsTable(ds: Dataset): Table {
  const n = ds.sequences.reduce((a, s) => a + s.length, 0);
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const position = new Int32Array(n);
  let k = 0;
  ds.sequences.forEach((seq, u) => {
    for (let j = 0; j < seq.length; j++, k++) {
      user[k] = u;
      item[k] = seq[j];
      position[k] = j;
    }
  });
  const columns: Record<string, Vector> = {
    user: vectorFromArray(user),
    item: vectorFromArray(item),
    position: vectorFromArray(position),
  };
  const flat = <T>(rows: ArrayLike<T>[]): T[] => rows.flatMap((r) => Array.from(r));
  const nullIfNaN = (x: number): number | null => (Number.isNaN(x) ? null : x);
  if (ds.timestamps)
    columns.timestamp = vectorFromArray(flat(ds.timestamps).map(nullIfNaN), new Float64());
  if (ds.ratings) columns.rating = vectorFromArray(flat(ds.ratings).map(nullIfNaN), new Float32());
  if (ds.reviews) columns.review = vectorFromArray(flat(ds.reviews), new Utf8());
  if (ds.summaries) columns.summary = vectorFromArray(flat(ds.summaries), new Utf8());
  return new Table(columns);
}

function fromInteractionsTable(t: Table, numUsers: number): Dataset {
  const user = t.getChild('user')?.toArray() as Int32Array;
  const item = t.getChild('item')?.toArray() as Int32Array;
  const sequences: Int32Array[] = [];
  const bounds: [number, number][] = [];
  let start = 0;
  for (let u = 0; u < numUsers; u++) {
    let end = start;
    while (end < user.length && user[end] === u) end++;
    bounds.push([start, end]);
    sequences.push(item.slice(start, end));
    start = end;
  }
  const ds: Dataset = { userIds: [], itemIds: [], items: [], sequences };
  const col = (name: string): unknown[] | undefined => {
    const c = t.getChild(name);
    return c ? (Array.from(c) as unknown[]) : undefined;
  };
  const ts = col('timestamp');
  if (ts)
    ds.timestamps = bounds.map(([a, b]) =>
      Float64Array.from(ts.slice(a, b), (x) => (x === null ? NaN : Number(x))),
    );
  const rating = col('rating');
  if (rating)
    ds.ratings = bounds.map(([a, b]) =>
      Float32Array.from(rating.slice(a, b), (x) => (x === null ? NaN : Number(x))),
    );
  const review = col('review');
  if (review) ds.reviews = bounds.map(([a, b]) => review.slice(a, b) as (string | null)[]);
  const summary = col('summary');
  if (summary) ds.summaries = bounds.map(([a, b]) => summary.slice(a, b) as (string | null)[]);
  return ds;
}

function itemsTable(items: Item[]): Table {
  const text = (pick: (it: Item) => string | undefined) =>
    vectorFromArray(
      items.map((it) => pick(it) ?? null),
      new Utf8(),
    );
  return new Table({
    item: vectorFromArray(Int32Array.from(items, (_, i) => i)),
    id: vectorFromArray(
      items.map((it) => it.id),
      new Utf8(),
    ),
    title: text((it) => it.title),
    description: text((it) => it.description),
    brand: text((it) => it.brand),
    categories: vectorFromArray(
      items.map((it) => it.categories ?? null),
      new List(new Field('item', new Utf8(), true)),
    ),
    price: vectorFromArray(
      items.map((it) => it.price ?? null),
      new Float64(),
    ),
    attributes: text((it) => (it.attributes ? JSON.stringify(it.attributes) : undefined)),
  });
}

function itemsFromTable(t: Table): Item[] {
  const rows = t.toArray() as Record<string, unknown>[];
  return rows.map((r) => {
    const it: Item = { id: String(r.id) };
    if (r.title != null) it.title = String(r.title);
    if (r.description != null) it.description = String(r.description);
    if (r.brand != null) it.brand = String(r.brand);
    if (r.categories != null) it.categories = Array.from(r.categories as Iterable<string>);
    if (r.price != null) it.price = Number(r.price);
    if (r.attributes != null)
      it.attributes = JSON.parse(String(r.attributes)) as Record<string, string>;
    return it;
  });
}
