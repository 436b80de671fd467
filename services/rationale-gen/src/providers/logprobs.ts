import { FailedPreconditionError, InvalidArgumentError } from '../errors';
import type { ContinuationScore, GenerateOptions } from '../types';

// The slice of node-llama-cpp v3.22's API that scoring uses (declared locally,
// like the rest of the provider, so the build does not need the optional package).
type Token = number;
type ControlledInput = Token | [Token, { generateNext: NextOptions }];
interface NextOptions {
  logits: { filter: { tokens: readonly Token[]; includeTop: number } };
  totalLogitWeight: true;
}
interface NextOutput {
  next: { logits?: Map<Token, number>; totalLogitWeight?: number };
}

export interface ScoringModel {
  tokenize(text: string): Token[];
  readonly tokens: { readonly bos: Token | null };
}

export interface ScoringSequence {
  controlledEvaluate(input: ControlledInput[]): Promise<(NextOutput | undefined)[]>;
  dispose(): void;
}

/**
 * log p(continuation | prompt) by one teacher-forced pass: the prompt's
 * tokens (after BOS when the model has one) and the continuation's tokens
 * are evaluated together in a fresh context sequence, and at every position
 * that predicts a continuation token llama.cpp returns that token's raw logit,
 * the top logit and the total weight sum(exp(logit - maxLogit)). Then
 * ln p(token) = logit - maxLogit - ln(totalWeight): an exact log-softmax
 * over the whole vocabulary without copying it to JavaScript, and with no
 * sampling options applied (temperature 1, no penalties).
 *
 * The continuation is tokenised on its own, as the model would read it
 * after the prompt; callers end the prompt with a separator (a newline).
 */
export function createContinuationScorer(o: {
  model: ScoringModel;
  contextSize: number;
  label: string;
  sequence: () => ScoringSequence;
}): (prompt: string, continuation: string, opts: GenerateOptions) => Promise<ContinuationScore> {
  return async (prompt, continuation, opts) => {
    if (typeof prompt !== 'string')
      throw new InvalidArgumentError(`prompt: must be a string, got ${typeof prompt}`);
    if (typeof continuation !== 'string' || !continuation.trim())
      throw new InvalidArgumentError('continuation: must be a non-empty string');
    const bos = o.model.tokens.bos;
    const head = [...(bos === null || bos === undefined ? [] : [bos]), ...o.model.tokenize(prompt)];
    const tail = o.model.tokenize(continuation);
    if (head.length === 0)
      throw new InvalidArgumentError(
        'prompt: must not be empty for a model without a BOS token (nothing conditions the first token)',
      );
    if (tail.length === 0)
      throw new InvalidArgumentError('continuation: has no tokens after tokenisation');
    if (head.length + tail.length > o.contextSize)
      throw new FailedPreconditionError(
        `${o.label}: prompt of ${head.length} tokens + continuation of ${tail.length} tokens does not fit the ${o.contextSize}-token context; shorten them or raise contextSize`,
      );
    opts.signal?.throwIfAborted();
    const tokens = [...head, ...tail];
    // Position i predicts token i + 1: ask for outputs at the last prompt token and every continuation token but the last.
    const first = head.length - 1;
    // node-llama-cpp tells a [token, options] pair from a token with `instanceof Array`,
    // so pairs are built with its own realm's Array (the one its tokenize returns);
    // an array from another realm (a vm sandbox such as jest's) would read as a token.
    const Pair = (Object.getPrototypeOf(tail) as { constructor: ArrayConstructor }).constructor;
    const input: ControlledInput[] = tokens.map((t, i) =>
      i >= first && i < tokens.length - 1
        ? (Pair.of<unknown>(t, {
            generateNext: {
              logits: { filter: { tokens: [tokens[i + 1]], includeTop: 1 } },
              totalLogitWeight: true,
            },
          }) as ControlledInput)
        : t,
    );
    const sequence = o.sequence();
    let out: (NextOutput | undefined)[];
    try {
      out = await sequence.controlledEvaluate(input);
    } finally {
      sequence.dispose();
    }
    opts.signal?.throwIfAborted();
    const tokenLogProbs = new Float64Array(tail.length);
    let logProb = 0;
    for (let k = 0; k < tail.length; k++) {
      const next = out[first + k]?.next;
      const logit = next?.logits?.get(tokens[first + k + 1]);
      const weight = next?.totalLogitWeight;
      if (!next?.logits || logit === undefined || weight === undefined || !(weight >= 1))
        throw new FailedPreconditionError(
          `${o.label}: llama.cpp returned no logits for continuation token ${k}; node-llama-cpp >= 3.22 is needed for scoring`,
        );
      let max = -Infinity;
      for (const v of next.logits.values()) if (v > max) max = v;
      // Clamp float32 rounding: a token at the top has logit == max and weight >= 1.
      const lp = Math.min(0, logit - max - Math.log(weight));
      tokenLogProbs[k] = lp;
      logProb += lp;
    }
    return { logProb, tokens: tail.length, tokenLogProbs };
  };
}
