import { createHash } from 'node:crypto';
import { validateRequest } from '../domain/request';
import {
  DeadlineExceededError,
  FailedPreconditionError,
  InvalidArgumentError,
  ThoughtspaceError,
  UnavailableError,
} from '../errors';
import { Semaphore, sleep } from '../internal/semaphore';
import { buildPrompt, PROMPT_VERSION, RATIONALE_SCHEMA, type PromptLimits } from '../prompts';
import type { GenerateOptions, Rationale, RationaleProvider, RationaleRequest } from '../types';
import { parseRationaleJson, rationaleOf } from './output';

export interface OpenAIProviderOptions {
  /** Base URL of an OpenAI-compatible API, e.g. `http://vllm:8000/v1`; `/chat/completions` is appended. */
  baseURL: string;
  /** Model name sent in every request and reported in every Rationale. */
  model: string;
  /** Bearer token; never logged or put in error messages. */
  apiKey?: string;
  /** Per-attempt timeout (default 30 000 ms). */
  timeoutMs?: number;
  /** Retries after the first attempt on 429, 5xx, network errors, timeouts and schema-invalid output (default 3). */
  maxRetries?: number;
  /** First backoff; doubles per retry, capped at 8x (default 500 ms). `Retry-After` is honoured up to the cap. */
  backoffMs?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** `json_schema` (structured outputs; vLLM, llama.cpp server, Ollama, OpenAI), `json_object`, or `none` (default json_schema). */
  responseFormat?: 'json_schema' | 'json_object' | 'none';
  /** Sampling temperature (default 0.7). */
  temperature?: number;
  /** Default completion token limit (default 256). */
  maxTokens?: number;
  /** When set, a retriable failure is answered by this provider instead, recorded in `fallbackFrom`. */
  fallback?: RationaleProvider;
  promptLimits?: Partial<PromptLimits>;
}

interface Attempt {
  ok: boolean;
  retriable: boolean;
  why: string;
  retryAfterMs?: number;
  value?: { reason: string; evidence: string[] };
  usage?: Rationale['usage'];
  timedOut?: boolean;
}

/**
 * Any OpenAI-compatible chat-completions endpoint (vLLM, llama.cpp server,
 * Ollama, TGI, OpenAI). Asks for `{reason, evidence}` JSON via
 * `response_format` and validates it; bounded concurrency, a timeout per
 * attempt, bounded retries with exponential backoff, then UNAVAILABLE (or
 * DEADLINE_EXCEEDED after timeouts) naming the provider and endpoint.
 */
export function createOpenAIProvider(options: OpenAIProviderOptions): RationaleProvider {
  const endpoint = chatEndpoint(options.baseURL);
  const shown = displayUrl(endpoint);
  if (!options.model) throw new InvalidArgumentError('openai provider: model is required');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRetries = options.maxRetries ?? 3;
  const backoffMs = options.backoffMs ?? 500;
  const temperature = options.temperature ?? 0.7;
  const defaultMaxTokens = options.maxTokens ?? 256;
  const responseFormat = options.responseFormat ?? 'json_schema';
  const gate = new Semaphore(options.concurrency ?? 4);
  const label = `openai provider at ${shown} (model ${options.model})`;

  const attempt = async (body: string, signal: AbortSignal | undefined): Promise<Attempt> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body,
        signal: combined,
      });
      text = await res.text();
    } catch (err) {
      if (signal?.aborted) throw abortError(signal, label);
      if (timeout.aborted) {
        return {
          ok: false,
          retriable: true,
          timedOut: true,
          why: `no response within ${timeoutMs} ms`,
        };
      }
      return { ok: false, retriable: true, why: `network error: ${networkReason(err)}` };
    }
    if (res.status === 429 || res.status >= 500) {
      return {
        ok: false,
        retriable: true,
        why: `HTTP ${res.status}`,
        retryAfterMs: retryAfter(res.headers.get('retry-after')),
      };
    }
    if (!res.ok)
      return { ok: false, retriable: false, why: `HTTP ${res.status}: ${snippet(text)}` };
    let content: unknown;
    let usage: Rationale['usage'];
    try {
      const json = JSON.parse(text) as {
        choices?: { message?: { content?: unknown } }[];
        usage?: { prompt_tokens?: number; completion_tokens?: number };
      };
      content = json.choices?.[0]?.message?.content;
      if (json.usage) {
        usage = {
          promptTokens: json.usage.prompt_tokens ?? 0,
          completionTokens: json.usage.completion_tokens ?? 0,
        };
      }
    } catch {
      return { ok: false, retriable: true, why: 'response body is not JSON' };
    }
    if (typeof content !== 'string') {
      return { ok: false, retriable: true, why: 'response has no choices[0].message.content' };
    }
    const parsed = parseRationaleJson(content);
    if ('error' in parsed)
      return { ok: false, retriable: true, why: `schema-invalid answer: ${parsed.error}` };
    return { ok: true, retriable: false, why: '', value: parsed.value, usage };
  };

  const generateOnce = async (req: RationaleRequest, opts: GenerateOptions): Promise<Rationale> => {
    const prompt = buildPrompt(req, options.promptLimits);
    const body = JSON.stringify({
      model: options.model,
      messages: [
        { role: 'system', content: prompt.system },
        { role: 'user', content: prompt.user },
      ],
      temperature,
      max_tokens: req.maxTokens ?? defaultMaxTokens,
      ...(req.seed !== undefined ? { seed: req.seed } : {}),
      ...responseFormatField(responseFormat),
    });
    let last: Attempt | undefined;
    for (let i = 0; i <= maxRetries; i++) {
      if (i > 0) {
        const wait = Math.min(backoffMs * 2 ** (i - 1), backoffMs * 8);
        await sleep(Math.min(last?.retryAfterMs ?? wait, backoffMs * 8), opts.signal).catch(() => {
          throw abortError(opts.signal!, label);
        });
      }
      last = await gate
        .run(() => attempt(body, opts.signal), opts.signal)
        .catch((err: unknown) => {
          if (opts.signal?.aborted) throw abortError(opts.signal, label);
          throw err;
        });
      if (last.ok) {
        return rationaleOf(last.value!, {
          provider: 'openai',
          model: options.model,
          kind: req.kind,
          usage: last.usage,
        });
      }
      if (!last.retriable) {
        throw new FailedPreconditionError(`${label} rejected the request: ${last.why}`);
      }
    }
    const message = `${label} failed after ${maxRetries + 1} attempts: ${last!.why}`;
    throw last!.timedOut ? new DeadlineExceededError(message) : new UnavailableError(message);
  };

  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify([
        PROMPT_VERSION,
        temperature,
        defaultMaxTokens,
        responseFormat,
        options.promptLimits ?? {},
      ]),
    )
    .digest('hex')
    .slice(0, 16);

  return {
    name: 'openai',
    model: options.model,
    fingerprint,
    // Chat completions return log-probabilities of generated tokens only, never of
    // given text; scoring a fixed continuation needs the legacy completions API's
    // `echo` + `logprobs`, which most servers (vLLM aside) no longer offer.
    capabilities: { logprobs: false },
    async generate(req, opts = {}) {
      validateRequest(req);
      try {
        return await generateOnce(req, opts);
      } catch (err) {
        const fallback = options.fallback;
        if (
          !fallback ||
          !(err instanceof ThoughtspaceError) ||
          !err.retriable ||
          opts.signal?.aborted
        ) {
          throw err;
        }
        const r = await fallback.generate(req, opts);
        return {
          ...r,
          fallbackFrom: { provider: 'openai', model: options.model, error: err.message },
        };
      }
    },
    async dispose() {
      await options.fallback?.dispose();
    },
  };
}

function responseFormatField(kind: 'json_schema' | 'json_object' | 'none'): object {
  if (kind === 'none') return {};
  if (kind === 'json_object') return { response_format: { type: 'json_object' } };
  return {
    response_format: {
      type: 'json_schema',
      json_schema: { name: 'rationale', strict: true, schema: RATIONALE_SCHEMA },
    },
  };
}

function chatEndpoint(baseURL: string): string {
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new InvalidArgumentError(
      `openai provider: baseURL is not a URL (${baseURL.length} characters)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`openai provider: baseURL must be http(s), got ${url.protocol}`);
  }
  return `${url.toString().replace(/\/+$/, '')}/chat/completions`;
}

/** The endpoint without credentials or query string, for messages. */
function displayUrl(endpoint: string): string {
  const url = new URL(endpoint);
  url.username = '';
  url.password = '';
  url.search = '';
  return url.toString();
}

function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const s = Number(header);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

function snippet(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

function abortError(signal: AbortSignal, label: string): ThoughtspaceError {
  const reason: unknown = signal.reason;
  return reason instanceof ThoughtspaceError
    ? reason
    : new DeadlineExceededError(`${label}: generation cancelled`);
}
