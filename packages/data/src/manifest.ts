import { createHash } from 'node:crypto';
import type { Dataset, PreprocessOptions, PreprocessReport } from './dataset';
import type { MalformedLine, SourceFile } from './types';

/**
 * Version of the on-disk layout. /2 added `files` (sha256 of every stored
 * file, checked on load); folders written as /1 must be prepared again.
 */
export const DATASET_FORMAT = 'thoughtspace-dataset/2';

/** A stored file's identity, as recorded in the manifest and checked on load. */
export interface StoredFile {
  sha256: string;
  bytes: number;
}

/**
 * Everything needed to name a processed dataset exactly: where it came from
 * (files with sha256), how it was read and filtered, what came out. `hash`
 * identifies the content and is what every result cites.
 */
export interface Manifest {
  format: typeof DATASET_FORMAT;
  name: string;
  /** sha256 over reader, source hashes, options and the processed content. */
  hash: string;
  reader: string;
  sources: SourceFile[];
  options: PreprocessOptions;
  report: PreprocessReport;
  malformed: { lines: number; count: number; samples: MalformedLine[] };
  tool: { name: string; version: string };
  createdAt: string;
  /**
   * The stored files beside manifest.json, by name. Set by `writeDataset`;
   * absent on a manifest that was built in memory and not yet written.
   */
  files?: Record<string, StoredFile>;
}

/** sha256 of the processed content: user ids, item ids and every sequence. */
export function contentDigest(ds: Dataset): string {
  const h = createHash('sha256');
  h.update(`users:${ds.userIds.length}\n`);
  for (let u = 0; u < ds.userIds.length; u++) {
    h.update(ds.userIds[u]);
    h.update('\n');
    const s = ds.sequences[u];
    h.update(new Uint8Array(s.buffer, s.byteOffset, s.byteLength));
  }
  h.update(`items:${ds.itemIds.length}\n`);
  for (const id of ds.itemIds) h.update(`${id}\n`);
  return h.digest('hex');
}

export function manifestHash(parts: {
  reader: string;
  sources: SourceFile[];
  options: PreprocessOptions;
  content: string;
}): string {
  const canonical = JSON.stringify({
    reader: parts.reader,
    sources: parts.sources.map((s) => s.sha256).sort(),
    options: parts.options,
    content: parts.content,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/** The first 12 hex digits: enough to cite in tables and file names. */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}
