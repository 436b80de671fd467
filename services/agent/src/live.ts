import type { MetricName } from '@thoughtspace/metrics';
import type { EvaluatorPort, LiveValue } from './evaluator';

/** When live metrics roll a promotion back. */
export interface LiveRule {
  metric: MetricName;
  /** The streaming evaluator's window: every case of a version, or its last N. */
  window: 'cumulative' | 'sliding';
  /** Roll back when the challenger is more than this below the champion. */
  margin: number;
  /** Cases each version needs before any decision. */
  minCases: number;
  /** How long to watch after the rollout (0 = no live check). */
  waitMs: number;
  pollMs: number;
}

export type LiveVerdict =
  | { kind: 'worse'; challenger: LiveValue; champion: LiveValue; reason: string }
  | { kind: 'held'; challenger: LiveValue; champion: LiveValue; reason: string }
  | {
      kind: 'inconclusive';
      challenger?: LiveValue;
      champion?: LiveValue;
      reason: string;
    };

const fmt = (v: LiveValue | undefined) =>
  v ? `${v.value.toFixed(4)} over ${v.cases} cases` : 'no cases';

/**
 * Watch the new version's live metric against the champion's for
 * `waitMs`: a verdict of "worse" as soon as both have `minCases` and the
 * challenger is more than `margin` below; "held" when it never was over the
 * whole watch; "inconclusive" when either side never reached `minCases`
 * (no decision is taken on too few cases, whatever they say).
 */
export async function watchLive(o: {
  evaluator: EvaluatorPort;
  champion: string;
  challenger: string;
  rule: LiveRule;
  log: (line: string) => void;
}): Promise<LiveVerdict> {
  const { rule } = o;
  const read = (version: string) =>
    o.evaluator.liveMetric({ version, metric: rule.metric, window: rule.window });
  const deadline = Date.now() + rule.waitMs;
  let champion: LiveValue | undefined;
  let challenger: LiveValue | undefined;
  let decided: { champion: LiveValue; challenger: LiveValue } | undefined;
  for (;;) {
    champion = await read(o.champion);
    challenger = await read(o.challenger);
    if (
      champion !== undefined &&
      challenger !== undefined &&
      champion.cases >= rule.minCases &&
      challenger.cases >= rule.minCases
    ) {
      decided = { champion, challenger };
      if (challenger.value < champion.value - rule.margin) {
        return {
          kind: 'worse',
          challenger,
          champion,
          reason: `live ${rule.metric} (${rule.window}) of ${o.challenger} ${fmt(challenger)} is more than ${rule.margin} below the champion ${o.champion}'s ${fmt(champion)}`,
        };
      }
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) =>
      setTimeout(r, Math.min(rule.pollMs, Math.max(0, deadline - Date.now()))),
    );
  }
  if (!decided) {
    return {
      kind: 'inconclusive',
      challenger,
      champion,
      reason: `after ${rule.waitMs} ms: ${o.challenger} has ${fmt(challenger)}, ${o.champion} ${fmt(champion)}; each needs ${rule.minCases} cases before a live decision`,
    };
  }
  return {
    kind: 'held',
    ...decided,
    reason: `live ${rule.metric} (${rule.window}) of ${o.challenger} ${fmt(decided.challenger)} is within ${rule.margin} of the champion ${o.champion}'s ${fmt(decided.champion)} or above`,
  };
}
