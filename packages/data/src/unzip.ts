import AdmZip from 'adm-zip';
import { DataLossError } from '@thoughtspace/runtime';

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/**
 * Extract a zip archive held in memory (MovieLens and GloVe archives) with
 * adm-zip, which also reads zip64 and checks each entry's CRC-32. Directory
 * entries are skipped. A damaged or non-zip input throws DataLossError.
 */
export function unzip(archive: Buffer): ZipEntry[] {
  try {
    return new AdmZip(archive)
      .getEntries()
      .filter((entry) => !entry.isDirectory)
      .map((entry) => ({ name: entry.entryName, data: entry.getData() }));
  } catch (err) {
    throw new DataLossError(
      `zip: not a zip archive or damaged (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
}
