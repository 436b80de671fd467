/**
 * @jest-environment <rootDir>/services/rationale-gen/jest-environment.js
 */
// Continuation scoring on the real in-process path: node-llama-cpp's prebuilt
// CPU binary running stories260K (../shared/models/README.md). The provider
// scores in one batched pass from filtered logits; the checks recompute the
// same log-probabilities another way (token by token, from llama.cpp's own
// probability map) and check what any language model must satisfy.
import { join, resolve } from 'node:path';
import { createRng, Status } from '@thoughtspace/runtime';
import { supportsLogprobs, type RationaleProvider } from '../types';
import { createEmbeddedProvider } from './embedded';
import { createLlamaCppProvider } from './llama-cpp';
import { createOpenAIProvider } from './openai';

declare const nativeImport: (specifier: string) => Promise<unknown>;

const GGUF = join(
  resolve(__dirname, '../../../../../shared/models'),
  'stories260K/stories260K.gguf',
);
const loadModule = () => nativeImport('node-llama-cpp');

const STORY =
  'Once upon a time, there was a little girl named Lily. She liked to play in the park with her dog.';
const PROMPT = `${STORY}\n`;

// The few calls of node-llama-cpp the reference loop uses.
interface RawModule {
  getLlama(o: object): Promise<{
    loadModel(o: object): Promise<{
      tokenize(text: string): number[];
      tokens: { bos: number | null };
      createContext(o: object): Promise<{
        getSequence(): {
          controlledEvaluate(
            input: [number, object][],
          ): Promise<({ next: { probabilities?: Map<number, number> } } | undefined)[]>;
          dispose(): void;
        };
        dispose(): Promise<void>;
      }>;
      dispose(): Promise<void>;
    }>;
    dispose(): Promise<void>;
  }>;
}

/** ln p of each continuation token, one token per evaluation, from llama.cpp's probability map. */
async function tokenByToken(prompt: string, continuation: string): Promise<number[]> {
  const mod = (await loadModule()) as RawModule;
  const llama = await mod.getLlama({ gpu: false, build: 'never', logLevel: 'error' });
  const model = await llama.loadModel({ modelPath: GGUF });
  const context = await model.createContext({ threads: 1, contextSize: 512, sequences: 1 });
  try {
    const head = [model.tokens.bos!, ...model.tokenize(prompt)];
    const tail = model.tokenize(continuation);
    const tokens = [...head, ...tail];
    const seq = context.getSequence();
    const out: number[] = [];
    // Pairs in node-llama-cpp's realm (it checks `instanceof Array`; this file runs in jest's sandbox).
    const Pair = (Object.getPrototypeOf(tail) as { constructor: ArrayConstructor }).constructor;
    const pair = (t: number, o: object) => Pair.of<unknown>(t, o) as [number, object];
    // The prompt but its last token in one go, then one token per call (the KV cache grows step by step).
    await seq.controlledEvaluate(head.slice(0, -1).map((t) => pair(t, {})));
    for (let i = head.length - 1; i < tokens.length - 1; i++) {
      const [r] = await seq.controlledEvaluate([
        pair(tokens[i], { generateNext: { probabilities: true } }),
      ]);
      out.push(Math.log(r!.next.probabilities!.get(tokens[i + 1]) ?? 0));
    }
    seq.dispose();
    return out;
  } finally {
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
}

describe('scoreContinuation (llama-cpp, stories260K.gguf)', () => {
  let provider: RationaleProvider;
  beforeAll(async () => {
    provider = await createLlamaCppProvider({ modelPath: GGUF, threads: 1, loadModule });
  });
  afterAll(() => provider?.dispose());

  it('states the capability; embedded and openai state that they cannot', () => {
    expect(provider.capabilities).toEqual({ logprobs: true });
    expect(supportsLogprobs(provider)).toBe(true);
    const embedded = createEmbeddedProvider();
    const openai = createOpenAIProvider({ baseURL: 'http://127.0.0.1:9/v1', model: 'm' });
    for (const p of [embedded, openai]) {
      expect(p.capabilities).toEqual({ logprobs: false });
      expect(p.scoreContinuation).toBeUndefined();
      expect(supportsLogprobs(p)).toBe(false);
    }
  });

  it('equals the sum of per-token log-probabilities computed token by token, is <= 0 and deterministic', async () => {
    const continuation = ' She had a big red ball and a small cat.';
    const a = await provider.scoreContinuation!(PROMPT, continuation);
    const reference = await tokenByToken(PROMPT, continuation);
    expect(a.tokens).toBe(reference.length);
    expect(a.tokens).toBeGreaterThan(5);
    // float32 logits in both paths: agree to ~1e-4 per token.
    reference.forEach((lp, k) => expect(a.tokenLogProbs[k]).toBeCloseTo(lp, 3));
    const sum = a.tokenLogProbs.reduce((s, x) => s + x, 0);
    expect(a.logProb).toBeCloseTo(sum, 9);
    expect(a.logProb).toBeCloseTo(
      reference.reduce((s, x) => s + x, 0),
      2,
    );
    expect(a.logProb).toBeLessThan(0);
    for (const lp of a.tokenLogProbs) expect(lp).toBeLessThanOrEqual(0);
    const b = await provider.scoreContinuation!(PROMPT, continuation);
    expect(b.logProb).toBe(a.logProb);
    expect([...b.tokenLogProbs]).toEqual([...a.tokenLogProbs]);
  });

  // This measures fluency more than conditioning: stories260K finds this story nearly as likely
  // after an unrelated one (-0.764 vs -0.753 nats/token). tests/likelihood-selection.test.ts
  // checks that the prompt matters (a crossed design on a constructed tree).
  it("scores a repeat of the prompt's own text above the same words shuffled", async () => {
    const words = STORY.split(' ');
    const rng = createRng('shuffle|1');
    const shuffled = [...words];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    expect(shuffled.join(' ')).not.toBe(STORY);
    const repeat = await provider.scoreContinuation!(PROMPT, STORY);
    const mixed = await provider.scoreContinuation!(PROMPT, shuffled.join(' '));
    const perToken = (s: { logProb: number; tokens: number }) => s.logProb / s.tokens;
    // Per token (the strategy's normalisation) and in total.
    expect(perToken(repeat)).toBeGreaterThan(perToken(mixed) + 1);
    expect(repeat.logProb).toBeGreaterThan(mixed.logProb);
  });

  it('rejects an empty continuation and one that does not fit the context, naming them', async () => {
    await expect(provider.scoreContinuation!(PROMPT, '  ')).rejects.toMatchObject({
      code: Status.INVALID_ARGUMENT,
      message: 'continuation: must be a non-empty string',
    });
    const small = await createLlamaCppProvider({
      modelPath: GGUF,
      contextSize: 64,
      loadModule,
    });
    try {
      await expect(small.scoreContinuation!(PROMPT, STORY.repeat(4))).rejects.toMatchObject({
        code: Status.FAILED_PRECONDITION,
        message: expect.stringMatching(
          /prompt of \d+ tokens \+ continuation of \d+ tokens does not fit the 64-token context/,
        ),
      });
    } finally {
      await small.dispose();
    }
  });
});
