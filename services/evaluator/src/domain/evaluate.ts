import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReadContext, type SplitName } from '@thoughtspace/data';
import {
  parsePrediction,
  rankOfTarget,
  reportFromRanks,
  type MetricReport,
  type Prediction,
} from '@thoughtspace/metrics';
import {
  describeError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
} from '@thoughtspace/runtime';

/** The ground truth of a dataset's leave-one-out splits: user id -> target item id. */
export interface Targets {
  name: string;
  manifestHash: string;
  splits: Record<SplitName, Map<string, string>>;
}

/** A prediction as it arrives, before validation (inline from the proto, or one JSON line). */
export interface RawPrediction {
  user: string;
  candidates: string[];
  scores: number[];
  target?: string;
  method?: string;
  provider?: string;
}

export interface EvaluateOptions {
  split: SplitName;
  resamples: number;
  seed: number;
  /** Looks up targets the predictions leave out; absent = every prediction must name its target. */
  targets?: Targets;
}

export interface Evaluation {
  report: MetricReport;
  method: string;
  provider: string;
  /** Predictions rejected: bad shapes, non-finite scores, no target, duplicate users, mixed methods. */
  malformed: number;
  /** The first few rejections, `where: reason`, for logs. */
  samples: string[];
}

const MAX_SAMPLES = 5;

/**
 * Ranks and bootstrap intervals of one method's predictions on one split.
 * Malformed predictions are counted and skipped, never fatal; if none is
 * usable the error names the first reasons.
 */
export class SplitEvaluation {
  private readonly ranks: number[] = [];
  /** users[i] is the user of ranks[i]. */
  private readonly users: string[] = [];
  private readonly seen = new Set<string>();
  private method?: string;
  private provider?: string;
  private malformed = 0;
  private readonly samples: string[] = [];

  constructor(private readonly options: EvaluateOptions) {}

  /** Add one prediction; returns the reason it was rejected, or undefined. */
  add(raw: unknown, where: string): string | undefined {
    const reason = this.tryAdd(raw);
    if (reason !== undefined) this.reject(where, reason);
    return reason;
  }

  /** Count a prediction that could not even be decoded. */
  reject(where: string, reason: string): void {
    this.malformed++;
    if (this.samples.length < MAX_SAMPLES) this.samples.push(`${where}: ${reason}`);
  }

  private tryAdd(raw: unknown): string | undefined {
    let p: Prediction;
    try {
      p = parsePrediction(raw);
    } catch (err) {
      return describeError(err);
    }
    const r = raw as RawPrediction;
    const method = r.method || 'predictions';
    const provider = r.provider || 'none';
    if (this.method !== undefined && (method !== this.method || provider !== this.provider)) {
      return `method "${method}" (provider ${provider}) differs from the request's first prediction ("${this.method}", provider ${this.provider})`;
    }
    if (this.seen.has(p.user)) return `user ${p.user} appears more than once`;
    const { targets, split } = this.options;
    const target = p.target ?? targets?.splits[split].get(p.user);
    if (target === undefined) {
      return targets
        ? `user ${p.user} has no ${split} case in ${targets.name}`
        : 'no target_item_id and the evaluator has no dataset (DATASET) to look it up';
    }
    const index = p.candidates.indexOf(target);
    if (index < 0) return `ground truth ${target} is not among the candidates`;
    this.method = method;
    this.provider = provider;
    this.seen.add(p.user);
    this.users.push(p.user);
    this.ranks.push(rankOfTarget(p.scores, index));
    return undefined;
  }

  /** The usable predictions so far as per-user ranks (users in arrival order). */
  userRanks(): {
    users: readonly string[];
    ranks: readonly number[];
    malformed: number;
    samples: readonly string[];
  } {
    return {
      users: this.users,
      ranks: this.ranks,
      malformed: this.malformed,
      samples: this.samples,
    };
  }

  finish(): Evaluation {
    if (this.ranks.length === 0) {
      throw new InvalidArgumentError(
        `no usable predictions (${this.malformed} malformed${this.samples.length > 0 ? `: ${this.samples.join('; ')}` : ''})`,
      );
    }
    return {
      report: reportFromRanks(this.ranks, {
        resamples: this.options.resamples,
        seed: this.options.seed,
      }),
      method: this.method ?? 'predictions',
      provider: this.provider ?? 'none',
      malformed: this.malformed,
      samples: this.samples,
    };
  }
}

/**
 * Resolve `predictions_uri` (a path or file:// URL) inside the one folder the
 * evaluator may read; anything else is refused, so a client cannot make the
 * server read arbitrary files.
 */
export function resolvePredictionsPath(uri: string, root: string | undefined): string {
  if (!root) {
    throw new FailedPreconditionError(
      'predictions_uri is not accepted: the evaluator has no PREDICTIONS_DIR; send the predictions inline (batch)',
    );
  }
  let path: string;
  if (uri.startsWith('file://')) {
    try {
      path = fileURLToPath(uri);
    } catch (err) {
      throw new InvalidArgumentError(
        `predictions_uri is not a valid file URL: ${describeError(err)}`,
      );
    }
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new InvalidArgumentError(
      `predictions_uri must be a path or file:// URL under PREDICTIONS_DIR, got scheme ${uri.split(':')[0]}`,
    );
  } else {
    path = uri;
  }
  const full = resolve(root, path);
  const rel = relative(resolve(root), full);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new InvalidArgumentError('predictions_uri must name a file inside PREDICTIONS_DIR');
  }
  return full;
}

/** Feed every JSON line of a predictions file (optionally .gz) into an evaluation. */
export async function addPredictionsFile(evaluation: SplitEvaluation, path: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new NotFoundError(`predictions_uri: cannot read ${path}`);
  }
  const ctx = new ReadContext();
  await ctx.eachLine(path, (line, lineNo) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      evaluation.reject(`line ${lineNo}`, 'not valid JSON');
      return;
    }
    evaluation.add(value, `line ${lineNo}`);
  });
}
