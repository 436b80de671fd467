/**
 * The canonical data model every reader returns. Ids are strings as they appear
 * in the source (ASINs, reviewer ids, integer ids rendered as text); the
 * preprocessing step maps them to dense integer indices.
 */

/** One catalogue item and its text. Missing fields are absent, never empty strings. */
export interface Item {
  id: string;
  title?: string;
  description?: string;
  brand?: string;
  /** Category path or tags, coarse to fine where the source orders them. */
  categories?: string[];
  /** Price in the source currency (US dollars for Amazon). */
  price?: number;
  /** Any other attributes the source carries (year, genres, ...), as text. */
  attributes?: Record<string, string>;
}

/** One user-item event, in the order the source lists it. */
export interface Interaction {
  user: string;
  item: string;
  /** Unix time in seconds, when the source has it. */
  timestamp?: number;
  /** Explicit rating (Amazon 1-5 stars, MovieLens 1-5), when the source has it. */
  rating?: number;
  /** Review body, untrusted user text. */
  review?: string;
  /** Review headline, untrusted user text. */
  summary?: string;
}

/** A malformed line: where it is and why it was rejected. */
export interface MalformedLine {
  file: string;
  /** 1-based line number in the (decompressed) file. */
  line: number;
  reason: string;
}

/** A file a reader consumed, identified by content hash for the manifest. */
export interface SourceFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** What a reader saw: files, line counts and rejected lines (the first few with their positions). */
export interface ReadReport {
  files: SourceFile[];
  /** Data lines examined (headers and blank lines excluded). */
  lines: number;
  /** Lines rejected as malformed. */
  malformed: number;
  /** The first few malformed lines (file, line, reason; never the content, which may be user data). */
  malformedSamples: MalformedLine[];
  /** Data lines and malformed lines per file, in reading order (not stored in the manifest). */
  byFile?: { path: string; lines: number; malformed: number }[];
}

/** The output of every reader. */
export interface RawDataset {
  /** Reader name as used in manifests and `--format`, e.g. `amazon-2018`. */
  reader: string;
  items: Item[];
  interactions: Interaction[];
  report: ReadReport;
}

/** Options every reader takes. */
export interface ReadOptions {
  /** Throw on the first malformed line instead of counting it. */
  strict?: boolean;
  /** How many malformed lines to keep verbatim in the report (default 5). */
  maxSamples?: number;
  /**
   * The largest share of data lines that may be malformed before the read
   * fails (default 0.1, see DEFAULT_MAX_MALFORMED); 1 accepts any share.
   * Checked by `prepareDataset`, after the read, with the malformed-line report.
   */
  maxMalformed?: number;
}
