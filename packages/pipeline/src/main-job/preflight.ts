import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import type { ProviderOptions } from '@thoughtspace/rationale-gen';
import { FailedPreconditionError, InvalidArgumentError } from '@thoughtspace/runtime';

/** How long the endpoint probe waits (the main job must fail in seconds, not after training). */
export const PROBE_TIMEOUT_MS = 5000;

/**
 * Checks every external part a run needs before any training: the output
 * folder is writable, the GGUF / word-vector files are readable, and an
 * OpenAI-compatible endpoint answers (one GET /models, no retries). Throws
 * FailedPreconditionError naming the flag or file at fault.
 */
export async function preflight(o: {
  out: string;
  provider?: ProviderOptions;
  wordVectors?: string;
  timeoutMs?: number;
}): Promise<void> {
  try {
    await mkdir(o.out, { recursive: true });
    await access(o.out, constants.W_OK);
  } catch (err) {
    throw new FailedPreconditionError(
      `--out: cannot write to ${o.out} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  const readable = async (path: string, what: string) => {
    try {
      await access(path, constants.R_OK);
    } catch {
      throw new FailedPreconditionError(`${what}: cannot read ${path}`);
    }
  };
  if (o.wordVectors) await readable(o.wordVectors, 'word vectors (THOUGHTSPACE_WORD_VECTORS)');
  const p = o.provider;
  if (p?.kind === 'llama-cpp') await readable(p.modelPath, '--gguf');
  if (p?.kind === 'openai' && !p.fallback) await probeEndpoint(p.baseURL, p.apiKey, o.timeoutMs);
}

/** One GET {baseURL}/models: any HTTP answer but 401/403/5xx means the endpoint is there. */
export async function probeEndpoint(
  baseURL: string,
  apiKey?: string,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<void> {
  let url: URL;
  try {
    url = new URL(`${baseURL.replace(/\/+$/, '')}/models`);
  } catch {
    throw new InvalidArgumentError(`--openai-base-url: not a URL: ${JSON.stringify(baseURL)}`);
  }
  let status: number;
  try {
    const res = await fetch(url, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = res.status;
    await res.body?.cancel();
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new FailedPreconditionError(
      `--openai-base-url: provider openai unreachable at ${baseURL} (${why}); nothing was trained`,
    );
  }
  if (status === 401 || status === 403)
    throw new FailedPreconditionError(
      `OPENAI_API_KEY: provider openai at ${baseURL} refused the key (HTTP ${status}); nothing was trained`,
    );
  if (status >= 500)
    throw new FailedPreconditionError(
      `--openai-base-url: provider openai at ${baseURL} answered HTTP ${status}; nothing was trained`,
    );
}
