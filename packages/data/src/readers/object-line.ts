import { parsePythonLiteral, PythonLiteralError } from './python-literal';

export type JsonObject = Record<string, unknown>;

/** Result of parsing one line that should hold one object. */
export type ObjectLine =
  { value: JsonObject; reason?: undefined } | { value?: undefined; reason: string };

/**
 * Parse a line holding one object: JSON first (the fast, common case), then
 * Python literal syntax for the older Amazon files written with `repr()`.
 * Reasons never quote the line, which may hold user text.
 */
export function parseObjectLine(line: string, options: { python?: boolean } = {}): ObjectLine {
  const allowPython = options.python !== false;
  let value: unknown;
  // "{'" cannot start JSON: the 2014 metadata lines go straight to the Python parser.
  if (allowPython && line.charCodeAt(0) === 123 && line.charCodeAt(1) === 39) {
    try {
      value = parsePythonLiteral(line);
    } catch (err) {
      return { reason: pythonReason(err) };
    }
  } else {
    try {
      value = JSON.parse(line);
    } catch (jsonErr) {
      if (!allowPython) return { reason: `invalid JSON (${jsonPosition(jsonErr)})` };
      try {
        value = parsePythonLiteral(line);
      } catch (pyErr) {
        return { reason: pythonReason(pyErr) };
      }
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { reason: 'expected an object' };
  }
  return { value: value as JsonObject };
}

function pythonReason(err: unknown): string {
  const where = err instanceof PythonLiteralError ? `column ${err.column}` : 'unparseable';
  return `neither JSON nor a Python literal (${where})`;
}

/** The position part of a JSON.parse error, without the input excerpt newer V8 versions add. */
function jsonPosition(err: unknown): string {
  const m = /position (\d+)/.exec(err instanceof Error ? err.message : '');
  return m ? `column ${Number(m[1]) + 1}` : 'unexpected end or token';
}

/** An id field: a non-empty string, or a number rendered as text. */
export function idField(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const id = value.trim();
    return id === '' ? undefined : id;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * A numeric field that may be absent: `undefined` when absent or empty, NaN
 * when present but not a number (the caller rejects the line), else the number.
 */
export function numberField(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : NaN;
  if (typeof value === 'string') {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : NaN;
  }
  return NaN;
}
