import { inflateRawSync } from 'node:zlib';
import { DataLossError } from '@thoughtspace/runtime';

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/**
 * Extract a zip archive held in memory (stored or deflated entries, no
 * encryption, no zip64): enough for MovieLens and GloVe archives. Reads the
 * central directory, so entries are found even when local headers use data
 * descriptors.
 */
export function unzip(archive: Buffer): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(archive);
  const count = archive.readUInt16LE(eocd + 10);
  let p = archive.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (archive.readUInt32LE(p) !== 0x02014b50)
      throw new DataLossError(`zip: bad central directory entry ${i}`);
    const method = archive.readUInt16LE(p + 10);
    const compressed = archive.readUInt32LE(p + 20);
    const nameLen = archive.readUInt16LE(p + 28);
    const extraLen = archive.readUInt16LE(p + 30);
    const commentLen = archive.readUInt16LE(p + 32);
    const local = archive.readUInt32LE(p + 42);
    const name = archive.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    if (archive.readUInt32LE(local) !== 0x04034b50)
      throw new DataLossError(`zip: bad local header for ${name}`);
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const raw = archive.subarray(start, start + compressed);
    if (method === 0) entries.push({ name, data: Buffer.from(raw) });
    else if (method === 8) entries.push({ name, data: inflateRawSync(raw) });
    else throw new DataLossError(`zip: ${name} uses unsupported compression method ${method}`);
  }
  return entries;
}

function findEndOfCentralDirectory(b: Buffer): number {
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 65535); i--) {
    if (b.readUInt32LE(i) === 0x06054b50) return i;
  }
  throw new DataLossError('zip: end of central directory not found (not a zip file?)');
}
