import type { Interaction, RawDataset, ReadOptions } from '../types';
import { joinCatalogue } from './catalogue';
import { ReadContext } from './context';
import { idProblem, splitFields } from './ids';
import { readItemsCatalogue } from './items-jsonl';

export interface PairsReadOptions extends ReadOptions {
  /**
   * A "user item" file: one pair per line, whitespace separated,
   * chronological per user. Ids longer than MAX_ID_BYTES (256 UTF-8 bytes)
   * or holding control characters make the line malformed.
   */
  pairs: string;
}

export interface PairsWithItemsReadOptions extends PairsReadOptions {
  /** The matching `*_items.jsonl` catalogue (item_id, asin, title, description). */
  items: string;
}

/** Read a SASRec-style "user item" file. Items carry no text (ids only). */
export async function readPairs(options: PairsReadOptions): Promise<RawDataset> {
  const ctx = new ReadContext(options);
  const interactions = await readPairsInto(ctx, options.pairs);
  return {
    reader: 'pairs',
    items: joinCatalogue(interactions, new Map()),
    interactions,
    report: ctx.report(),
  };
}

/** Read a "user item" file and its item catalogue (the luxury / all-beauty folders). */
export async function readPairsWithItems(options: PairsWithItemsReadOptions): Promise<RawDataset> {
  const ctx = new ReadContext(options);
  const interactions = await readPairsInto(ctx, options.pairs);
  const catalogue = await readItemsCatalogue(ctx, options.items);
  return {
    reader: 'pairs-with-items',
    items: joinCatalogue(interactions, catalogue),
    interactions,
    report: ctx.report(),
  };
}

async function readPairsInto(ctx: ReadContext, path: string): Promise<Interaction[]> {
  const interactions: Interaction[] = [];
  await ctx.eachLine(path, (line) => {
    const parts = splitFields(line);
    if (parts.length !== 2)
      return `expected 2 whitespace-separated fields (user item), got ${parts.length}`;
    const problem = idProblem('user', parts[0]) ?? idProblem('item', parts[1]);
    if (problem !== undefined) return problem;
    interactions.push({ user: parts[0], item: parts[1] });
  });
  return interactions;
}
