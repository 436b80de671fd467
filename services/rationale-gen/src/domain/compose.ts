import type { Item } from '@thoughtspace/data';
import { createRecentCache } from '@thoughtspace/runtime';
import { formatPrice, sanitizeUntrusted, tokenize, truncateWords } from '@thoughtspace/text';
import type { RationaleRequest } from '../types';
import { DIRECTIONS, parseDirection, type Direction } from './directions';
import {
  cite,
  contentTokens,
  itemTextTokens,
  mineProfile,
  name,
  perItem,
  type Profile,
  type Signal,
} from './evidence';

/** A composed reason and the facts it cites. */
export interface Composition {
  reason: string;
  evidence: string[];
}

const MAX_REASON = 1400;
const MAX_EVIDENCE = 8;

/**
 * The embedded composer: an evidence-grounded rationale from the patterns in
 * the history (see evidence.ts). Not a language model: it fills sentence
 * templates with mined signals and cites the items behind each one.
 * Deterministic for the same request. The request must be validated first.
 */
export function compose(req: RationaleRequest): Composition {
  const profile = profileOf(req.history);
  const out = new Builder();
  if (req.kind === 'positive') positive(profile, req.target!, out);
  else if (req.kind === 'base') base(profile, req.similarItems ?? [], out);
  else refine(profile, req, out);
  return out.finish();
}

const PROFILES_KEPT = 256;
const profiles = createRecentCache<Profile>(PROFILES_KEPT);
const itemIds = new WeakMap<Item, number>();
let nextItemId = 0;

/**
 * mineProfile, remembered for the most recent histories: one recommendation
 * composes a base reason and every refinement of its tree from the same
 * history, and mining dominates composing. The key is each entry's item
 * object (by identity, so two catalogues never share an entry), rating and
 * review; the profile is only read, never changed, by the composers.
 */
function profileOf(history: RationaleRequest['history']): Profile {
  const key = history
    .map((e) => {
      let id = itemIds.get(e.item);
      if (id === undefined) itemIds.set(e.item, (id = nextItemId++));
      return `${id}\u0001${e.rating ?? ''}\u0001${e.review ?? ''}`;
    })
    .join('\u0002');
  return profiles.get(key, () => mineProfile(history));
}

class Builder {
  private readonly sentences: string[] = [];
  private readonly evidence: string[] = [];
  say(sentence: string): void {
    if (sentence) this.sentences.push(sentence);
  }
  cite(fact: string): void {
    if (!this.evidence.includes(fact)) this.evidence.push(fact);
  }
  finish(): Composition {
    return {
      reason: truncateWords(this.sentences.join(' '), MAX_REASON),
      evidence: this.evidence.slice(0, MAX_EVIDENCE),
    };
  }
}

function describeSignal(s: Signal, limit = 3): string {
  return `${s.source}: ${s.label} (${s.items.length} item${s.items.length === 1 ? '' : 's'}: ${s.items
    .slice(0, limit)
    .map((i) => i.id)
    .join(', ')})`;
}

function examples(items: Item[], limit = 2): string {
  return joinList(items.slice(0, limit).map((i) => `"${name(i)}"`));
}

/** An item's content words: its remembered text tokens and its brand's (read once per item). */
const itemWords = perItem(
  (item): ReadonlySet<string> =>
    new Set([...itemTextTokens(item), ...contentTokens(item.brand ?? '')]),
);

function matches(s: Signal, words: ReadonlySet<string>, item: Item): boolean {
  if (s.source.startsWith('brand')) {
    const brand = s.label.toLowerCase();
    return (
      item.brand?.toLowerCase() === brand || (item.title ?? '').toLowerCase().startsWith(brand)
    );
  }
  if (s.source === 'category')
    return (item.categories ?? []).some((c) => c.toLowerCase() === s.label);
  return tokenize(s.label).every((t) => words.has(t) || words.has(`${t}s`));
}

function positive(p: Profile, target: Item, out: Builder): void {
  const words = itemWords(target);
  out.cite(`target ${cite(target)}`);
  const shared: { what: string; s: Signal }[] = [];
  const pick = (list: Signal[], what: string) => {
    const s = list.find((x) => matches(x, words, target));
    if (s) shared.push({ what, s });
  };
  pick(p.brands, 'brand');
  pick(p.types, 'product type');
  pick(p.features, 'feature');
  pick(p.uses, 'use');
  if (shared.length < 2) pick(p.terms, 'theme');
  const subject = `The user chose "${name(target)}"`;
  if (shared.length === 0) {
    const last = p.recent[p.recent.length - 1];
    out.say(
      `${subject} as a step away from their usual picks: it shares no brand, type or feature with their ${p.size} earlier items, the latest being "${last ? name(last.item) : 'unknown'}".`,
    );
    if (last) out.cite(`latest ${cite(last.item)}`);
  } else {
    const parts = shared.map(
      ({ what, s }) => `the ${what} ${s.label} (as in ${examples(s.items)})`,
    );
    out.say(`${subject} because it continues ${joinList(parts)}.`);
    for (const { s } of shared) out.cite(describeSignal(s));
  }
  const price = formatPrice(target.price);
  if (p.price && price) {
    const fits = target.price! <= p.price.max.price! * 1.25;
    out.say(
      `At ${price} it ${fits ? 'fits' : 'stretches'} their ${p.price.band} spending (median ${formatPrice(p.price.median)}).`,
    );
    out.cite(`price: median ${formatPrice(p.price.median)} over ${p.price.items.length} items`);
  }
  sentiment(p, out, 1);
}

/** The lead sentence of a base reason: what the history shows most strongly. */
function summary(p: Profile, out: Builder): void {
  const parts: string[] = [];
  const lead = (s: Signal | undefined, phrase: (s: Signal) => string) => {
    if (!s) return;
    parts.push(phrase(s));
    out.cite(describeSignal(s));
  };
  lead(p.brands[0], (s) => `keeps returning to ${s.label} (${examples(s.items)})`);
  lead(p.types[0], (s) => `mostly buys ${s.label} products`);
  lead(p.features[0], (s) => `favours ${s.label}`);
  if (parts.length < 2) lead(p.uses[0], (s) => `shops for ${s.label} care`);
  if (parts.length < 2) lead(p.terms[0], (s) => `often picks "${s.label}" items`);
  if (parts.length === 0 && p.recent.length > 0) {
    parts.push(`recently bought ${examples(p.recent.map((e) => e.item).reverse())}`);
    for (const e of p.recent) out.cite(`recent ${cite(e.item)}`);
  }
  out.say(
    parts.length > 0
      ? `Across ${p.size} purchases the user ${joinList(parts)}.`
      : 'The user has no purchase history yet.',
  );
}

function base(p: Profile, similar: Item[], out: Builder): void {
  summary(p, out);
  sentiment(p, out, 1);
  similarUsers(p, similar, out, 0);
  const next = [p.features[0]?.label, p.types[0]?.label].filter(Boolean).join(' ');
  if (next)
    out.say(
      `The next pick is likely another ${next} item${p.brands[0] ? `, plausibly from ${p.brands[0].label}` : ''}.`,
    );
}

const REFINED = 'Refined for ';

/**
 * A refinement argues from one kind of evidence (the direction's operator):
 * the base reason's lead sentence, the refinements on the path from the root
 * (taken from the parent), then this operator's argument: the evidence, the
 * items behind it and the next pick it points to. The rest of the base reason
 * (its review, neighbours and next-pick sentences) is left out, so the leaves
 * of a tree differ in what they argue from rather than sharing one long text
 * with a different last clause. When the user has no evidence of the asked
 * kind, the operator falls back to the next kind not yet on the path, at a
 * weaker signal the further it had to go (a sibling may argue from that
 * kind's strongest).
 */
function refine(p: Profile, req: RationaleRequest, out: Builder): void {
  const { operator, rank } = parseDirection(req.direction ?? '');
  const parent = sanitizeUntrusted(req.parent ?? '', { maxChars: 1200 });
  // The lead's text only: a refinement's evidence is its own argument's.
  const lead = new Builder();
  summary(p, lead);
  out.say(lead.finish().reason);
  const at = parent.indexOf(REFINED);
  const path = at >= 0 ? parent.slice(at) : '';
  if (path) out.say(path);
  const used = new Set(
    DIRECTIONS.filter(
      (d) => path.includes(`${REFINED}${d}:`) || path.includes(`weighing ${d} instead`),
    ),
  );
  const from = operator ? DIRECTIONS.indexOf(operator) : 0;
  const rotated = DIRECTIONS.map((_, i) => DIRECTIONS[(from + i) % DIRECTIONS.length]);
  const order = operator ? rotated : rotated.filter((d) => !used.has(d));
  const asked = operator ?? sanitizeUntrusted(req.direction ?? '', { maxChars: 60 });
  for (const [distance, d] of order.entries()) {
    if (d !== operator && used.has(d)) continue;
    // A fallback k kinds further on uses that kind's (k+1)-th signal: siblings whose kinds are
    // missing land on the same fallback kind at different signals, not on one shared clause.
    const clause = applyDirection(d, p, req, rank + distance);
    if (!clause) continue;
    const prefix =
      d === operator
        ? `${REFINED}${d}:`
        : `${REFINED}${asked} (no ${asked} signal in the history, so weighing ${d} instead):`;
    out.say(`${prefix} ${clause.text}`);
    for (const e of clause.evidence) out.cite(e);
    break;
  }
}

interface Clause {
  text: string;
  evidence: string[];
}

/** One refinement operator: put a specific grounded aspect first. */
function applyDirection(
  d: Direction,
  p: Profile,
  req: RationaleRequest,
  rank: number,
): Clause | undefined {
  const similar = req.similarItems ?? [];
  const at = <T>(list: T[]) => list[Math.min(rank, list.length - 1)];
  const signal = (list: Signal[], text: (s: Signal) => string): Clause | undefined => {
    const s = at(list);
    return s && { text: text(s), evidence: [describeSignal(s, 4)] };
  };
  switch (d) {
    case 'brand loyalty':
      return signal(
        p.brands,
        (s) =>
          `they stay loyal to ${s.label}, bought ${s.items.length} time${s.items.length === 1 ? '' : 's'} out of ${p.size} (${examples(s.items, 3)}); the next pick is likely another ${s.label} item, whatever its type.`,
      );
    case 'product type/category':
      return signal(
        p.types,
        (s) =>
          `their basket is built around ${s.label} products (${examples(s.items, 3)}); the next pick is likely another ${s.label}, whatever the brand.`,
      );
    case 'ingredient/feature':
      return signal(
        p.features,
        (s) =>
          `${s.label} recurs in what they buy (${examples(s.items, 3)}); the next pick is likely an item with ${s.label}.`,
      );
    case 'occasion/use':
      return signal(
        p.uses,
        (s) =>
          `they shop for ${s.label} care (${examples(s.items, 3)}); the next pick likely serves ${s.label} care too.`,
      );
    case 'price band': {
      if (!p.price) return undefined;
      const { band, median, min, max, items } = p.price;
      return {
        text: `they spend in the ${band} range (median ${formatPrice(median)}, from ${formatPrice(min.price)} for "${name(min)}" to ${formatPrice(max.price)} for "${name(max)}"); the next pick is likely a ${band} item near ${formatPrice(median)}.`,
        evidence: [
          `price: median ${formatPrice(median)} over ${items.length} items`,
          cite(min),
          cite(max),
        ],
      };
    }
    case 'recency of taste': {
      // Rank k: the window of three picks ending k picks before the latest.
      const entries = req.history;
      if (entries.length === 0) return undefined;
      const end = Math.max(1, entries.length - rank);
      const recent = entries.slice(Math.max(0, end - 3), end).map((e) => e.item);
      const words = new Set(recent.flatMap((i) => contentTokens(i.title ?? '')));
      const theme =
        p.terms.find((t) => words.has(t.label)) ??
        p.types.find((t) => recent.some((i) => t.items.includes(i)));
      const which = end === entries.length ? 'latest picks' : 'picks just before the latest';
      return {
        text: `their ${which} (${examples([...recent].reverse(), 3)}) matter most${theme ? `, pointing to ${theme.label}` : ''}; the next pick likely follows "${name(recent[recent.length - 1])}".`,
        evidence: recent.map((i) => `recent ${cite(i)}`),
      };
    }
    case 'review aspects': {
      const pos = p.opinions.filter((o) => o.polarity === 'positive');
      const o = at(pos.length > 0 ? pos : p.opinions);
      if (o) {
        return {
          text: `their reviews ${o.polarity === 'positive' ? 'praise' : 'criticise'} the ${o.aspect} ("${o.quote}" on "${name(o.item)}"); the next pick is likely an item ${o.polarity === 'positive' ? 'known for' : 'better in'} its ${o.aspect}.`,
          evidence: [`review of item ${o.item.id}: ${o.aspect} ${o.word}`],
        };
      }
      const r = p.ratings;
      if (!r || r.top.length === 0) return undefined;
      return {
        text: `they rated ${examples(r.top.map((e) => e.item))} highest (${r.top[0].rating} stars; mean ${r.mean.toFixed(1)}); the next pick is likely an item like "${name(r.top[0].item)}".`,
        evidence: r.top.slice(0, 3).map((e) => `rated ${e.rating}: ${cite(e.item)}`),
      };
    }
    case "similar users' picks": {
      const b = new Builder();
      const first = similarUsers(p, similar, b, rank);
      const c = b.finish();
      if (!first) return undefined;
      return {
        text: `${c.reason.replace(/\.$/, '')}; the next pick is likely close to "${name(first)}".`,
        evidence: c.evidence,
      };
    }
  }
}

function sentiment(p: Profile, out: Builder, limit: number): void {
  const opinions = p.opinions.slice(0, limit);
  for (const o of opinions) {
    out.say(`Their review of "${name(o.item)}" calls the ${o.aspect} ${o.word} ("${o.quote}").`);
    out.cite(`review of item ${o.item.id}: ${o.aspect} ${o.word}`);
  }
  if (opinions.length === 0 && p.ratings && p.ratings.top.length > 0) {
    const r = p.ratings;
    out.say(
      `They rate highly (mean ${r.mean.toFixed(1)} over ${r.count} ratings; ${r.top[0].rating} stars for ${examples(
        r.top.map((e) => e.item),
        1,
      )}).`,
    );
    out.cite(`rated ${r.top[0].rating}: ${cite(r.top[0].item)}`);
  }
}

/** Similar users' items that share the most with the profile's strongest signals. */
function similarUsers(p: Profile, similar: Item[], out: Builder, rank: number): Item | undefined {
  if (similar.length === 0) return undefined;
  const keys = [...p.brands, ...p.types, ...p.features, ...p.terms].slice(0, 12);
  const scored = similar.map((item, i) => {
    const words = itemWords(item);
    const hits = keys.filter((s) => matches(s, words, item));
    return { item, i, hits };
  });
  scored.sort((a, b) => b.hits.length - a.hits.length || a.i - b.i);
  const chosen = scored.slice(rank * 2, rank * 2 + 2);
  if (chosen.length === 0) return undefined;
  const shared = [...new Set(chosen.flatMap((c) => c.hits.map((h) => h.label)))].slice(0, 3);
  out.say(
    `Users with similar histories also bought ${examples(chosen.map((c) => c.item))}${shared.length > 0 ? `, which share ${joinList(shared)} with this user's items` : ''}.`,
  );
  for (const c of chosen) out.cite(`similar users bought ${cite(c.item)}`);
  return chosen[0].item;
}

function joinList(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}
