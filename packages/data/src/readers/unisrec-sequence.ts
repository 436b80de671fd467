/** One line of a UniSRec `.inter` file: a history prefix and the item that followed it. */
export interface PrefixRow {
  history: string[];
  target: string;
  file: string;
  line: number;
}

export interface Reconstructed {
  sequence: string[];
  /** Rows that do not continue the sequence (duplicates or contradictions). */
  unused: PrefixRow[];
}

/**
 * Rebuild one user's full chronological sequence from UniSRec's
 * prefix-expanded rows. Row i holds items 0..i-1 (the last `maxLen` of them
 * when the producer truncated histories) and target item i, so rows chain:
 * each row's history is the sequence so far. Starting from the shortest
 * history, follow the chain by looking up the sequence's tail; this needs no
 * assumption about file order or which split (train/valid/test) a row came
 * from, handles truncated histories and users present in train only.
 */
export function reconstructSequence(rows: readonly PrefixRow[]): Reconstructed {
  if (rows.length === 0) return { sequence: [], unused: [] };
  const sorted = [...rows].sort((a, b) => a.history.length - b.history.length);
  let maxLen = 0;
  for (const r of sorted) if (r.history.length > maxLen) maxLen = r.history.length;

  const byHistory = new Map<string, PrefixRow[]>();
  for (let i = 1; i < sorted.length; i++) {
    const key = sorted[i].history.join(' ');
    const list = byHistory.get(key);
    if (list) list.push(sorted[i]);
    else byHistory.set(key, [sorted[i]]);
  }

  const sequence = [...sorted[0].history, sorted[0].target];
  for (;;) {
    const tail = sequence.length <= maxLen ? sequence : sequence.slice(sequence.length - maxLen);
    const key = tail.join(' ');
    const next = byHistory.get(key);
    if (!next) break;
    const row = next.shift() as PrefixRow;
    if (next.length === 0) byHistory.delete(key);
    sequence.push(row.target);
  }
  const unused: PrefixRow[] = [];
  for (const list of byHistory.values()) unused.push(...list);
  unused.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
  return { sequence, unused };
}
