import type { Item } from '@thoughtspace/data';
import type { HistoryEntry } from '@thoughtspace/text';

/** Which phase of the method a rationale serves (DESIGN §1). */
export type RationaleKind = 'positive' | 'base' | 'refine';

export const RATIONALE_KINDS: readonly RationaleKind[] = ['positive', 'base', 'refine'];

export type { HistoryEntry };

/** What to write. Which fields apply depends on `kind`. */
export interface RationaleRequest {
  kind: RationaleKind;
  /** The user's interactions, chronological (oldest first). */
  history: HistoryEntry[];
  /** positive only: the known next item (training targets only, the leakage rule). */
  target?: Item;
  /** base: items of similar users (from candidate-gen), never the target. */
  similarItems?: Item[];
  /** refine: the reason being refined. */
  parent?: string;
  /** refine: one direction of refinement (see refinementDirections). */
  direction?: string;
  /** Sampling seed for language-model providers; absent = provider default. */
  seed?: number;
  /** Upper bound on generated tokens; absent = provider default. */
  maxTokens?: number;
}

/** A reason in natural language, the facts it rests on, and who wrote it. */
export interface Rationale {
  reason: string;
  /** Short facts the reason rests on, e.g. `brand: Philips (3 items)`, `item B00X: <title>`. */
  evidence: string[];
  /** Provider that wrote it: `embedded`, `llama-cpp` or `openai`. */
  provider: string;
  /** Model as the provider names it; `none` for the embedded composer. */
  model: string;
  kind: RationaleKind;
  /** Set when a language-model provider failed and the embedded composer answered instead. */
  fallbackFrom?: { provider: string; model: string; error: string };
  /** Token counts when the provider reports them. */
  usage?: { promptTokens: number; completionTokens: number };
}

export interface GenerateOptions {
  /** Abort generation (client cancelled, deadline passed). */
  signal?: AbortSignal;
}

/** Rationale providers behind one interface (DESIGN §5). */
export interface RationaleProvider {
  /** `embedded`, `llama-cpp` or `openai`. */
  readonly name: string;
  /** Model name as reported in every Rationale. */
  readonly model: string;
  /**
   * Anything besides (name, model, request) that changes the output, e.g. the
   * prompt version and sampling settings; part of the cache key.
   */
  readonly fingerprint: string;
  /** Write one rationale; throws InvalidArgumentError for a malformed request. */
  generate(req: RationaleRequest, opts?: GenerateOptions): Promise<Rationale>;
  /** What the provider can do besides `generate`; absent = nothing more. */
  readonly capabilities?: ProviderCapabilities;
  /**
   * Log-probability of `continuation` given `prompt` under the provider's
   * language model (the LOG_LIKELIHOOD selection strategy). Present exactly
   * when `capabilities.logprobs` is true.
   */
  scoreContinuation?(
    prompt: string,
    continuation: string,
    opts?: GenerateOptions,
  ): Promise<ContinuationScore>;
  /** Release models, sockets and workers. Idempotent. */
  dispose(): Promise<void>;
}

/** Optional abilities of a provider, stated by each built-in provider. */
export interface ProviderCapabilities {
  /** Scores a given continuation (`scoreContinuation`): token log-probabilities of fixed text. */
  logprobs: boolean;
}

/** log p(continuation | prompt) under the model, with its tokenisation. */
export interface ContinuationScore {
  /** Sum of the continuation tokens' natural-log probabilities (<= 0). */
  logProb: number;
  /** Number of continuation tokens scored (divide for a per-token mean). */
  tokens: number;
  /** ln p of each continuation token given everything before it. */
  tokenLogProbs: Float64Array;
}

/** True when `provider` can score continuations (the log-likelihood strategy's requirement). */
export function supportsLogprobs(provider: RationaleProvider): provider is RationaleProvider & {
  scoreContinuation: NonNullable<RationaleProvider['scoreContinuation']>;
} {
  return (
    provider.capabilities?.logprobs === true && typeof provider.scoreContinuation === 'function'
  );
}
