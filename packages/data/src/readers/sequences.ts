import type { Interaction, RawDataset, ReadOptions } from '../types';
import { joinCatalogue } from './catalogue';
import { ReadContext } from './context';
import { idProblem, splitFields } from './ids';
import { readItemsCatalogue } from './items-jsonl';

export interface SequencesReadOptions extends ReadOptions {
  /**
   * One sequence per line: a user id, then that user's item ids in
   * chronological order, whitespace separated (P5 `sequential_data.txt`,
   * IDGenRec `user_sequence.txt`, STOSA-style `.txt`). Ids may be any string
   * without whitespace. A user on several lines has the lines concatenated.
   */
  sequences: string;
  /** An optional `*_items.jsonl` catalogue (item_id, title, description). */
  items?: string;
}

/** Read a one-sequence-per-line file, and its item catalogue when given. */
export async function readSequences(options: SequencesReadOptions): Promise<RawDataset> {
  const ctx = new ReadContext(options);
  const interactions: Interaction[] = [];
  await ctx.eachLine(options.sequences, (line) => {
    const fields = splitFields(line);
    if (fields.length < 2)
      return 'expected a user id followed by at least one item id, got 1 field';
    const user = fields[0];
    const bad = idProblem('user', user);
    if (bad !== undefined) return bad;
    for (let j = 1; j < fields.length; j++) {
      const problem = idProblem('item', fields[j]);
      if (problem !== undefined) return `field ${j + 1}: ${problem}`;
    }
    for (let j = 1; j < fields.length; j++) interactions.push({ user, item: fields[j] });
  });
  const catalogue = options.items ? await readItemsCatalogue(ctx, options.items) : new Map();
  return {
    reader: 'sequences',
    items: joinCatalogue(interactions, catalogue),
    interactions,
    report: ctx.report(),
  };
}
