import type { RationaleKind, Rationale } from '../types';

export const MAX_REASON_CHARS = 2000;
export const MAX_EVIDENCE = 16;

/**
 * Parse and validate a model's answer against RATIONALE_SCHEMA. Returns the
 * parsed fields or a one-line description of what is wrong (never the whole
 * output, which may echo user data).
 */
export function parseRationaleJson(
  text: string,
): { value: { reason: string; evidence: string[] } } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim().replace(/^```(?:json)?\s*|\s*```$/g, ''));
  } catch {
    return { error: `output is not JSON (${text.length} characters)` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { error: 'output is not a JSON object' };
  }
  const o = parsed as Record<string, unknown>;
  if (typeof o.reason !== 'string' || o.reason.trim().length === 0) {
    return { error: 'output.reason must be a non-empty string' };
  }
  if (!Array.isArray(o.evidence) || !o.evidence.every((e) => typeof e === 'string')) {
    return { error: 'output.evidence must be an array of strings' };
  }
  return {
    value: {
      reason: o.reason.trim().slice(0, MAX_REASON_CHARS),
      evidence: (o.evidence as string[])
        .map((e) => e.trim())
        .filter(Boolean)
        .slice(0, MAX_EVIDENCE),
    },
  };
}

export function rationaleOf(
  value: { reason: string; evidence: string[] },
  meta: { provider: string; model: string; kind: RationaleKind; usage?: Rationale['usage'] },
): Rationale {
  return {
    ...value,
    provider: meta.provider,
    model: meta.model,
    kind: meta.kind,
    ...(meta.usage ? { usage: meta.usage } : {}),
  };
}
