import { mainJobOptions, providerOptions, type RunFlags } from './run';

describe('run: flags -> main job options', () => {
  it('maps provider flags onto rationale-gen options, caching language-model providers', () => {
    expect(providerOptions({ provider: 'embedded' }, '/tmp/c')).toEqual({ kind: 'embedded' });
    expect(providerOptions({ provider: 'llama-cpp', gguf: 'm.gguf' }, '/tmp/c')).toEqual({
      kind: 'llama-cpp',
      modelPath: 'm.gguf',
      cacheDir: '/tmp/c',
    });
    expect(
      providerOptions(
        {
          provider: 'openai',
          openaiBaseUrl: 'http://vllm:8000/v1',
          openaiModel: 'qwen',
          fallbackEmbedded: true,
        },
        '/tmp/c',
      ),
    ).toMatchObject({
      kind: 'openai',
      baseURL: 'http://vllm:8000/v1',
      model: 'qwen',
      fallback: 'embedded',
      cacheDir: '/tmp/c',
    });
    // --prompt-items bounds a small-context model's prompts (history and similar users' items).
    expect(
      providerOptions({ provider: 'llama-cpp', gguf: 'm.gguf', promptItems: 6 }, '/tmp/c'),
    ).toEqual({
      kind: 'llama-cpp',
      modelPath: 'm.gguf',
      cacheDir: '/tmp/c',
      promptLimits: { maxItems: 6, maxSimilarItems: 6 },
    });
  });

  it('names the missing flag', () => {
    expect(() => providerOptions({ provider: 'llama-cpp' }, '/tmp/c')).toThrow(/--gguf/);
    expect(() => providerOptions({ provider: 'openai', openaiModel: 'm' }, '/tmp/c')).toThrow(
      /--openai-base-url/,
    );
  });

  it('rejects a bad --branching or --protocol before loading any data', async () => {
    const flags: RunFlags = {
      dataset: 'no-such-dataset',
      out: '/tmp/x',
      protocol: 'sampled:9',
      seed: 1,
      resamples: 10,
      branching: '2,x',
      reasoning: true,
      invarianceCanary: true,
      provider: 'embedded',
    };
    await expect(mainJobOptions(flags)).rejects.toThrow(
      /--branching must look like "2,3", got "2,x"/,
    );
    await expect(mainJobOptions({ ...flags, branching: '2,3', protocol: 'bogus' })).rejects.toThrow(
      /protocol/i,
    );
  });
});
