/** Keys whose values never reach a log line or an error message. */
export const SECRET_KEY = /token|secret|password|key/i;

export const REDACTED = '[redacted]';

// Bounds keep one log call cheap even when handed a large payload.
const MAX_DEPTH = 6;
const MAX_ARRAY = 50;

/**
 * A JSON-safe copy of `value` with secret-looking keys replaced, errors
 * reduced to name/message/code, and cycles and deep nesting cut off.
 */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[truncated]';
  seen.add(value);
  if (value instanceof Error) return describeErrorForLog(value);
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ARRAY).map((v) => redact(v, depth + 1, seen));
    if (value.length > MAX_ARRAY) items.push(`[+${value.length - MAX_ARRAY} more]`);
    return items;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) ? REDACTED : redact(v, depth + 1, seen);
  }
  return out;
}

function describeErrorForLog(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (err.stack) out.stack = err.stack.split('\n').slice(0, 8).join('\n');
  return out;
}
