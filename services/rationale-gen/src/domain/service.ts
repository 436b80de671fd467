import type { Item } from '@thoughtspace/data';
import { FailedPreconditionError, InvalidArgumentError } from '../errors';
import type {
  GenerateOptions,
  Rationale,
  RationaleKind,
  RationaleProvider,
  RationaleRequest,
} from '../types';
import { refinementDirections } from './directions';
import { DEFAULT_REQUEST_LIMITS, validateRequest, type RequestLimits } from './request';

/** A task as the gRPC API states it: items by id, resolved from the server's catalogue. */
export interface RationaleTaskInput {
  kind: RationaleKind;
  history: { itemId: string; rating?: number; review?: string; summary?: string }[];
  targetItemId?: string;
  similarItemIds: string[];
  parentReason?: string;
  /** Refine only, instead of parentReason: several parents at once, n alternatives each, parent by parent. */
  parentReasons?: string[];
  /**
   * Alternatives to write, 1..16. For refine, alternative i of parent p
   * follows refinementDirections(n, level, firstChild + p * n)[i] inside a
   * tree (treePosition), refinementDirections(n, 1)[i] without one.
   */
  n: number;
  /** Refine only: where the children go in a tree of thought (see refinementDirections). */
  treePosition?: { level: number; firstChild: number };
  /**
   * The rest of a tree in this call: refine inside a tree (the parents are a
   * whole level) refines each child again with furtherLevels[0] children,
   * and so on; base (n 1) writes the tree below the base reason. The
   * rationales come level by level, as one call per level would give them.
   */
  furtherLevels?: number[];
  /**
   * Refine one parentReason with n 1 outside a tree: the direction to write,
   * as free text, instead of refinementDirections'.
   */
  direction?: string;
  /** Provider name; empty = the service default. */
  provider: string;
  maxTokens?: number;
  seed?: number;
}

export interface RationaleResult {
  rationales: Rationale[];
  promptTokens: number;
  completionTokens: number;
  /** With furtherLevels: ms spent writing each level, the task's own first. */
  levelMs?: number[];
}

export interface RationaleService {
  readonly defaultProvider: string;
  readonly providers: readonly string[];
  generate(task: RationaleTaskInput, opts?: ServiceGenerateOptions): Promise<RationaleResult>;
  dispose(): Promise<void>;
}

export interface ServiceGenerateOptions extends GenerateOptions {
  /** Called as each alternative completes, in order (streaming). */
  onRationale?: (index: number, rationale: Rationale) => Promise<void>;
}

export const MAX_ALTERNATIVES = 16;
/** Longest free-text refinement direction (the prompts quote at most this much of it). */
export const MAX_DIRECTION_CHARS = 120;
/** Most rationales one batched refine call may ask for (parents x n). */
export const MAX_BATCH = 64;

/**
 * rationale-gen's domain: resolves item ids against the catalogue, picks the
 * provider, writes `n` alternatives (refine: one per refinement direction;
 * other kinds: seeds seed, seed + 1, ...). Knows nothing about gRPC.
 */
export function createRationaleService(options: {
  providers: Record<string, RationaleProvider>;
  defaultProvider: string;
  catalogue: ReadonlyMap<string, Item>;
  limits?: Partial<RequestLimits>;
}): RationaleService {
  const limits = { ...DEFAULT_REQUEST_LIMITS, ...options.limits };
  const names = Object.keys(options.providers);
  if (!options.providers[options.defaultProvider]) {
    throw new FailedPreconditionError(
      `default provider "${options.defaultProvider}" is not configured (configured: ${names.join(', ')})`,
    );
  }
  const item = (id: string, field: string): Item => {
    const found = options.catalogue.get(id);
    if (!found) throw new InvalidArgumentError(`${field}: unknown item id "${id.slice(0, 40)}"`);
    return found;
  };
  return {
    defaultProvider: options.defaultProvider,
    providers: names,
    async generate(task, opts = {}) {
      const name = task.provider || options.defaultProvider;
      const provider = options.providers[name];
      if (!provider) {
        throw new InvalidArgumentError(
          `provider must be one of ${names.join(', ')} (or empty for ${options.defaultProvider}), got "${name.slice(0, 40)}"`,
        );
      }
      if (!Number.isInteger(task.n) || task.n < 1 || task.n > MAX_ALTERNATIVES) {
        throw new InvalidArgumentError(`n must be in [1, ${MAX_ALTERNATIVES}], got ${task.n}`);
      }
      if (task.history.length > limits.maxHistory) {
        throw new InvalidArgumentError(
          `history.interactions: ${task.history.length} interactions exceeds the limit of ${limits.maxHistory}`,
        );
      }
      const further = checkFurtherLevels(task);
      checkDirection(task);
      const base: RationaleRequest = {
        kind: task.kind,
        history: task.history.map((h, i) => ({
          item: item(h.itemId, `history.interactions[${i}].item_id`),
          rating: h.rating,
          review: [h.summary, h.review].filter((s) => s?.trim()).join('. ') || undefined,
        })),
        target:
          task.targetItemId === undefined ? undefined : item(task.targetItemId, 'target_item_id'),
        similarItems: task.similarItemIds.length
          ? task.similarItemIds.map((id, i) => item(id, `similar_user_item_ids[${i}]`))
          : undefined,
        maxTokens: task.maxTokens,
        seed: task.seed,
      };
      /** One tree level's requests: parent p's `n` children, each with its place's direction. */
      const levelRequests = (
        kind: RationaleKind,
        parents: (string | undefined)[],
        n: number,
        at: RationaleTaskInput['treePosition'],
      ) =>
        parents.flatMap((parent, p) => {
          // The caller's direction, its own place in the tree, or the first level's directions.
          const directions =
            kind !== 'refine'
              ? []
              : task.direction !== undefined
                ? [task.direction]
                : at
                  ? refinementDirections(n, at.level, at.firstChild + p * n)
                  : refinementDirections(n, 1);
          return Array.from({ length: n }, (_, i): RationaleRequest => ({
            ...base,
            kind,
            parent,
            ...(kind === 'refine' ? { direction: directions[i] } : {}),
            ...(task.seed !== undefined ? { seed: task.seed + i } : {}),
          }));
        });
      const rationales: Rationale[] = [];
      const levelMs: number[] = [];
      /** Writes one level's rationales in order (streamed as they come) and times the level. */
      const write = async (requests: RationaleRequest[]): Promise<Rationale[]> => {
        for (const r of requests) validateRequest(r, limits);
        const started = performance.now();
        const start = rationales.length;
        for (const r of requests) {
          const rationale = await provider.generate(r, { signal: opts.signal });
          rationales.push(rationale);
          await opts.onRationale?.(rationales.length - 1, rationale);
        }
        levelMs.push(performance.now() - started);
        return rationales.slice(start);
      };
      let at = task.treePosition;
      let level = await write(levelRequests(task.kind, parentsOf(task), task.n, at));
      // The rest of the tree: every node of a level is a parent of the next, which starts
      // right after it in breadth-first order (level 1 at 0 below a base reason).
      for (const n of further) {
        at = at
          ? { level: at.level + 1, firstChild: at.firstChild + level.length }
          : { level: 1, firstChild: 0 };
        level = await write(
          levelRequests(
            'refine',
            level.map((r) => r.reason),
            n,
            at,
          ),
        );
      }
      return {
        ...(further.length > 0 ? { levelMs } : {}),
        rationales,
        promptTokens: rationales.reduce((s, r) => s + (r.usage?.promptTokens ?? 0), 0),
        completionTokens: rationales.reduce((s, r) => s + (r.usage?.completionTokens ?? 0), 0),
      };
    },
    async dispose() {
      for (const p of Object.values(options.providers)) await p.dispose();
    },
  };
}

/**
 * further_levels, checked: REFINE inside a tree or BASE with n 1 only, and
 * the whole tree at most MAX_BATCH rationales.
 */
function checkFurtherLevels(task: RationaleTaskInput): number[] {
  const further = task.furtherLevels ?? [];
  if (further.length === 0) return [];
  const inTree = task.kind === 'refine' && task.treePosition;
  if (!inTree && !(task.kind === 'base' && task.n === 1)) {
    throw new InvalidArgumentError(
      'further_levels apply to REFINE inside a tree (with tree_position) or to BASE with n 1',
    );
  }
  let count = parentsOf(task).length * task.n;
  let total = count;
  for (const n of further) {
    count *= n;
    total += count;
  }
  if (total > MAX_BATCH) {
    throw new InvalidArgumentError(
      `further_levels: the tree has ${total} rationales, more than the limit of ${MAX_BATCH} per call`,
    );
  }
  return further;
}

/** direction: one refinement of one parent_reason, outside a tree. */
function checkDirection(task: RationaleTaskInput): void {
  if (task.direction === undefined) return;
  const conflicts = [
    task.kind !== 'refine' && `kind ${task.kind.toUpperCase()} (REFINE only)`,
    task.parentReason === undefined && 'no parent_reason',
    (task.parentReasons?.length ?? 0) > 0 && 'parent_reasons',
    task.n !== 1 && `n ${task.n} (1 only)`,
    task.treePosition && 'tree_position',
    (task.furtherLevels?.length ?? 0) > 0 && 'further_levels',
  ].filter((c): c is string => typeof c === 'string');
  if (conflicts.length > 0)
    throw new InvalidArgumentError(
      `direction applies to one REFINE of one parent_reason with n 1, outside a tree; this task has ${conflicts.join(', ')}`,
    );
  if (task.direction.length > MAX_DIRECTION_CHARS)
    throw new InvalidArgumentError(
      `direction must be at most ${MAX_DIRECTION_CHARS} characters, got ${task.direction.length}`,
    );
}

/** The parents a task refines: parent_reasons (a batch), else the one parent_reason (or none). */
function parentsOf(task: RationaleTaskInput): (string | undefined)[] {
  const batch = task.parentReasons ?? [];
  if (batch.length === 0) return [task.parentReason];
  if (task.kind !== 'refine')
    throw new InvalidArgumentError(
      `parent_reasons apply to REFINE only, not ${task.kind.toUpperCase()}`,
    );
  if (task.parentReason !== undefined)
    throw new InvalidArgumentError('parent_reason and parent_reasons: set one, not both');
  if (batch.length * task.n > MAX_BATCH)
    throw new InvalidArgumentError(
      `parent_reasons: ${batch.length} parents x n ${task.n} exceeds the limit of ${MAX_BATCH} rationales per call`,
    );
  return batch;
}
