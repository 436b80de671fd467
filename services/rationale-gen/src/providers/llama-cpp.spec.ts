/**
 * @jest-environment <rootDir>/services/rationale-gen/jest-environment.js
 */
// The real in-process path: node-llama-cpp's prebuilt CPU binary (no build, no
// download) running stories260K, a 292,800-parameter Llama trained on
// TinyStories (../shared/models/README.md). Its text is nonsense for this
// task; the test checks loading, prompting, grammar-constrained JSON,
// timeouts and errors, not quality.
import { join, resolve } from 'node:path';
import { Status } from '@thoughtspace/runtime';
import type { RationaleProvider, RationaleRequest } from '../types';
import { createLlamaCppProvider } from './llama-cpp';

declare const nativeImport: (specifier: string) => Promise<unknown>;

const MODELS = resolve(__dirname, '../../../../../shared/models');
const GGUF = join(MODELS, 'stories260K/stories260K.gguf');
const loadModule = () => nativeImport('node-llama-cpp');

const req: RationaleRequest = {
  kind: 'positive',
  history: [
    { item: { id: 'B1', title: 'Lily hand cream' }, rating: 5, review: 'I love the smell.' },
    { item: { id: 'B2', title: 'Lily soap' } },
  ],
  target: { id: 'B3', title: 'Lily shampoo' },
  maxTokens: 200,
  seed: 1,
};

describe('llama-cpp provider with stories260K.gguf', () => {
  let provider: RationaleProvider;
  beforeAll(async () => {
    provider = await createLlamaCppProvider({
      modelPath: GGUF,
      threads: 1,
      temperature: 0.8,
      maxReasonChars: 80,
      maxEvidence: 2,
      maxEvidenceChars: 30,
      loadModule,
      promptLimits: { maxItems: 5, maxCharsPerItem: 80 },
    });
  });
  afterAll(() => provider?.dispose());

  it('loads, prompts and returns schema-constrained {reason, evidence}', async () => {
    const r = await provider.generate(req);
    expect(r.provider).toBe('llama-cpp');
    expect(r.model).toBe('stories260K');
    expect(r.kind).toBe('positive');
    expect(typeof r.reason).toBe('string');
    expect(r.reason.length).toBeGreaterThan(0);
    expect(Array.isArray(r.evidence)).toBe(true);
    expect(r.usage!.promptTokens).toBeGreaterThan(50);
    expect(r.usage!.completionTokens).toBeGreaterThan(0);
  });

  it('a tiny timeout fires with a clear DEADLINE_EXCEEDED error', async () => {
    const quick = await createLlamaCppProvider({
      modelPath: GGUF,
      timeoutMs: 1,
      loadModule,
      promptLimits: { maxItems: 5, maxCharsPerItem: 80 },
    });
    try {
      const err = await quick.generate(req).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: Status.DEADLINE_EXCEEDED, retriable: true });
      expect((err as Error).message).toBe(
        `llama-cpp provider (model ${GGUF}): no answer within 1 ms`,
      );
    } finally {
      await quick.dispose();
    }
  });

  it('a missing GGUF is NOT_FOUND naming the path', async () => {
    const missing = join(MODELS, 'nope/missing.gguf');
    await expect(createLlamaCppProvider({ modelPath: missing, loadModule })).rejects.toMatchObject({
      code: Status.NOT_FOUND,
      message: `llama-cpp provider: GGUF model file not found: ${missing}`,
    });
  });

  it('a file that is not a GGUF fails to load with the path in the error', async () => {
    const notGguf = join(MODELS, 'README.md');
    await expect(createLlamaCppProvider({ modelPath: notGguf, loadModule })).rejects.toMatchObject({
      code: Status.FAILED_PRECONDITION,
      message: expect.stringContaining(`cannot load GGUF model ${notGguf}`),
    });
  });
});
