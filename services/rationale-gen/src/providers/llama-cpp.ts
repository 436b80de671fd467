import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { validateRequest } from '../domain/request';
import {
  DeadlineExceededError,
  FailedPreconditionError,
  NotFoundError,
  ThoughtspaceError,
  UnavailableError,
} from '../errors';
import { Semaphore } from '../internal/semaphore';
import { buildPrompt, PROMPT_VERSION, RATIONALE_SCHEMA, type PromptLimits } from '../prompts';
import type { GenerateOptions, Rationale, RationaleProvider, RationaleRequest } from '../types';
import { createContinuationScorer, type ScoringModel, type ScoringSequence } from './logprobs';
import { parseRationaleJson, rationaleOf } from './output';

export interface LlamaCppProviderOptions {
  /** Path of a GGUF model file. */
  modelPath: string;
  /** Threads per context (default 1: on a 2-core machine more threads are far slower). */
  threads?: number;
  /** Context size in tokens (default: the model's training context, at most 4096). */
  contextSize?: number;
  /** Generations in flight at once, one context sequence each (default 1). */
  concurrency?: number;
  /** Per-generation timeout (default 60 000 ms). */
  timeoutMs?: number;
  /** Default completion token limit (default 512). */
  maxTokens?: number;
  /** Sampling temperature (default 0.7). */
  temperature?: number;
  /** `false` (CPU, default) or `auto` / `cuda` / `vulkan` for the GPU builds shipped in node-llama-cpp's platform packages. */
  gpu?: false | 'auto' | 'cuda' | 'vulkan';
  /**
   * Grammar bounds on the answer, so the JSON always closes within maxTokens:
   * reason length (default 600 characters), evidence count (default 6) and
   * length (default 100 characters). Budget about 3 characters per token.
   */
  maxReasonChars?: number;
  maxEvidence?: number;
  maxEvidenceChars?: number;
  promptLimits?: Partial<PromptLimits>;
  /**
   * How to load the ESM-only node-llama-cpp module; default a real dynamic
   * `import('node-llama-cpp')`. Jest's CommonJS sandbox cannot run `import()`,
   * so tests pass Node's own importer (see decision 0005).
   */
  loadModule?: () => Promise<unknown>;
}

// The slice of node-llama-cpp v3's API this provider uses. Declared locally so
// the build does not need the optional package's types.
interface LlamaModule {
  getLlama(options: {
    gpu: LlamaCppProviderOptions['gpu'];
    build: 'never';
    logLevel?: string;
  }): Promise<Llama>;
  LlamaChatSession: new (options: {
    contextSequence: LlamaSequence;
    systemPrompt?: string;
    autoDisposeSequence?: boolean;
  }) => LlamaChatSession;
}
interface Llama {
  loadModel(options: { modelPath: string }): Promise<LlamaModel>;
  createGrammarForJsonSchema(schema: object): Promise<unknown>;
  dispose(): Promise<void>;
}
interface LlamaModel extends ScoringModel {
  readonly trainContextSize: number;
  createContext(options: {
    threads: number;
    contextSize: number;
    sequences: number;
  }): Promise<LlamaContext>;
  dispose(): Promise<void>;
}
interface LlamaContext {
  getSequence(): LlamaSequence;
  dispose(): Promise<void>;
}
type LlamaSequence = ScoringSequence;
interface LlamaChatSession {
  prompt(
    text: string,
    options: {
      grammar?: unknown;
      maxTokens?: number;
      temperature?: number;
      seed?: number;
      signal?: AbortSignal;
      stopOnAbortSignal?: boolean;
    },
  ): Promise<string>;
  dispose(options?: { disposeSequence?: boolean }): void;
}

const MODULE = 'node-llama-cpp';

/**
 * In-process GGUF models through node-llama-cpp (prebuilt CPU/CUDA/Vulkan
 * binaries ship in its platform packages; nothing is compiled or downloaded:
 * `build: 'never'`). Output is constrained by a JSON-schema grammar and
 * validated. Loads the model before resolving; a missing or unreadable GGUF
 * is an error naming the path.
 */
export async function createLlamaCppProvider(
  options: LlamaCppProviderOptions,
): Promise<RationaleProvider> {
  const modelPath = resolve(options.modelPath);
  const info = await stat(modelPath).catch(() => undefined);
  if (!info?.isFile())
    throw new NotFoundError(`llama-cpp provider: GGUF model file not found: ${modelPath}`);
  const mod = await loadLlamaModule(options.loadModule);
  const llama = await mod
    .getLlama({ gpu: options.gpu ?? false, build: 'never', logLevel: 'error' })
    .catch((err: unknown) => {
      throw new FailedPreconditionError(
        `llama-cpp provider: no usable prebuilt llama.cpp binary for this platform (gpu: ${String(options.gpu ?? false)}): ${describe(err)}`,
        { cause: err },
      );
    });
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath });
  } catch (err) {
    await llama.dispose();
    throw new FailedPreconditionError(
      `llama-cpp provider: cannot load GGUF model ${modelPath}: ${describe(err)}`,
      { cause: err },
    );
  }
  const concurrency = options.concurrency ?? 1;
  const contextSize = options.contextSize ?? Math.min(model.trainContextSize || 2048, 4096);
  let context: LlamaContext;
  let grammar: unknown;
  try {
    context = await model.createContext({
      threads: options.threads ?? 1,
      contextSize,
      sequences: concurrency,
    });
    grammar = await llama.createGrammarForJsonSchema({
      ...RATIONALE_SCHEMA,
      properties: {
        reason: { type: 'string', minLength: 1, maxLength: options.maxReasonChars ?? 600 },
        evidence: {
          type: 'array',
          maxItems: options.maxEvidence ?? 6,
          items: { type: 'string', maxLength: options.maxEvidenceChars ?? 100 },
        },
      },
    });
  } catch (err) {
    await model.dispose();
    await llama.dispose();
    throw new FailedPreconditionError(
      `llama-cpp provider: cannot create a context for ${modelPath}: ${describe(err)}`,
      { cause: err },
    );
  }
  const gate = new Semaphore(concurrency);
  const modelName = basename(modelPath).replace(/\.gguf$/i, '');
  const timeoutMs = options.timeoutMs ?? 60_000;
  const temperature = options.temperature ?? 0.7;
  const defaultMaxTokens = options.maxTokens ?? 512;
  const label = `llama-cpp provider (model ${modelPath})`;
  let disposed = false;

  const generateOnce = async (req: RationaleRequest, opts: GenerateOptions): Promise<Rationale> => {
    const prompt = buildPrompt(req, options.promptLimits);
    const maxTokens = req.maxTokens ?? defaultMaxTokens;
    const promptTokens = model.tokenize(`${prompt.system}\n${prompt.user}`).length;
    if (promptTokens + maxTokens + 64 > contextSize) {
      throw new FailedPreconditionError(
        `${label}: prompt of ${promptTokens} tokens + ${maxTokens} to generate does not fit the ${contextSize}-token context; lower promptLimits or raise contextSize`,
      );
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const sequence = context.getSequence();
    const session = new mod.LlamaChatSession({
      contextSequence: sequence,
      systemPrompt: prompt.system,
      autoDisposeSequence: false,
    });
    let text: string;
    try {
      text = await session.prompt(prompt.user, {
        grammar,
        maxTokens,
        temperature,
        ...(req.seed !== undefined ? { seed: req.seed } : {}),
        signal,
        stopOnAbortSignal: false,
      });
    } catch (err) {
      if (opts.signal?.aborted) {
        const reason: unknown = opts.signal.reason;
        throw reason instanceof ThoughtspaceError
          ? reason
          : new DeadlineExceededError(`${label}: generation cancelled`);
      }
      if (timeout.aborted)
        throw new DeadlineExceededError(`${label}: no answer within ${timeoutMs} ms`);
      throw new UnavailableError(`${label}: generation failed: ${describe(err)}`, { cause: err });
    } finally {
      session.dispose({ disposeSequence: false });
      sequence.dispose();
    }
    const parsed = parseRationaleJson(text);
    if ('error' in parsed) {
      throw new UnavailableError(
        `${label}: schema-invalid answer (${parsed.error}); raise maxTokens if the JSON was cut off`,
      );
    }
    return rationaleOf(parsed.value, {
      provider: 'llama-cpp',
      model: modelName,
      kind: req.kind,
      usage: { promptTokens, completionTokens: model.tokenize(text).length },
    });
  };

  const scorer = createContinuationScorer({
    model,
    contextSize,
    label,
    sequence: () => context.getSequence(),
  });

  return {
    name: 'llama-cpp',
    model: modelName,
    capabilities: { logprobs: true },
    fingerprint: createHash('sha256')
      .update(
        JSON.stringify([
          PROMPT_VERSION,
          options.maxReasonChars,
          options.maxEvidence,
          options.maxEvidenceChars,
          info.size,
          temperature,
          defaultMaxTokens,
          contextSize,
          options.promptLimits ?? {},
        ]),
      )
      .digest('hex')
      .slice(0, 16),
    async generate(req, opts = {}) {
      if (disposed) throw new FailedPreconditionError(`${label}: provider is disposed`);
      validateRequest(req);
      return gate.run(() => generateOnce(req, opts), opts.signal);
    },
    async scoreContinuation(prompt, continuation, opts = {}) {
      if (disposed) throw new FailedPreconditionError(`${label}: provider is disposed`);
      return gate.run(() => scorer(prompt, continuation, opts), opts.signal);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}

async function loadLlamaModule(load?: () => Promise<unknown>): Promise<LlamaModule> {
  try {
    // A variable specifier keeps the build independent of the optional
    // package; module Node16 leaves import() as a real ESM dynamic import.
    const specifier: string = MODULE;
    const mod = (load ? await load() : await import(specifier)) as Partial<LlamaModule>;
    if (typeof mod.getLlama !== 'function' || typeof mod.LlamaChatSession !== 'function') {
      throw new Error(
        'module does not export getLlama and LlamaChatSession (node-llama-cpp v3 expected)',
      );
    }
    return mod as LlamaModule;
  } catch (err) {
    throw new FailedPreconditionError(
      `llama-cpp provider: cannot load the optional dependency ${MODULE} (install it with \`npm install ${MODULE}\`): ${describe(err)}`,
      { cause: err },
    );
  }
}

function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300);
}
