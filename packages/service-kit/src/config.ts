import { InvalidArgumentError } from '@thoughtspace/runtime';
import { REDACTED, SECRET_KEY } from './internal/redact';

/**
 * A tiny typed schema for environment configuration. Each service's config.ts
 * declares its variables once and calls readConfig(schema, process.env) at
 * start; every problem is reported in one error that names the variable and
 * the bad value (secret-looking variables show `[redacted]` instead).
 *
 *   const schema = {
 *     port: intVar({ name: 'PORT', default: 50051, min: 1, max: 65535 }),
 *     logLevel: enumVar({ name: 'LOG_LEVEL', values: LOG_LEVELS, default: 'info' }),
 *     otlpEndpoint: stringVar({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', optional: true }),
 *   };
 *   type Config = ConfigOf<typeof schema>;
 */

interface VarBase {
  /** Environment variable name. */
  name: string;
  /** One line for docs and `--help`. */
  description?: string;
  /** Never echo the value in errors (also implied by names matching /token|secret|password|key/i). */
  secret?: boolean;
}

export interface VarSpec<T> extends VarBase {
  /** Parse a non-empty raw value; return an error description instead of throwing. */
  parse(raw: string): { value: T } | { error: string };
  default?: T;
  /** When unset and without a default, the value is undefined instead of an error. */
  optional?: boolean;
}

export type ConfigSchema = Record<string, VarSpec<unknown>>;

type ValueOf<S> =
  S extends VarSpec<infer T>
    ? S extends { default: T }
      ? T
      : S extends { optional: true }
        ? T | undefined
        : T
    : never;

/** The validated configuration type of a schema. */
export type ConfigOf<S extends ConfigSchema> = { readonly [K in keyof S]: ValueOf<S[K]> };

type Options<T> = VarBase & { default?: T; optional?: boolean };

export function stringVar<O extends Options<string> & { pattern?: RegExp }>(
  options: O,
): VarSpec<string> & O {
  return {
    ...options,
    parse: (raw) =>
      options.pattern && !options.pattern.test(raw)
        ? { error: `does not match ${String(options.pattern)}` }
        : { value: raw },
  };
}

export function intVar<O extends Options<number> & { min?: number; max?: number }>(
  options: O,
): VarSpec<number> & O {
  return {
    ...options,
    parse: (raw) => {
      if (!/^[+-]?\d+$/.test(raw.trim())) return { error: 'is not an integer' };
      return inRange(Number(raw), options.min, options.max);
    },
  };
}

export function floatVar<O extends Options<number> & { min?: number; max?: number }>(
  options: O,
): VarSpec<number> & O {
  return {
    ...options,
    parse: (raw) => {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) return { error: 'is not a finite number' };
      return inRange(value, options.min, options.max);
    },
  };
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function boolVar<O extends Options<boolean>>(options: O): VarSpec<boolean> & O {
  return {
    ...options,
    parse: (raw) => {
      const v = raw.trim().toLowerCase();
      if (TRUE.has(v)) return { value: true };
      if (FALSE.has(v)) return { value: false };
      return { error: 'is not a boolean (true/false/1/0/yes/no/on/off)' };
    },
  };
}

export function enumVar<const V extends readonly string[], O extends Options<V[number]>>(
  options: O & { values: V },
): VarSpec<V[number]> & O {
  return {
    ...options,
    parse: (raw) =>
      (options.values as readonly string[]).includes(raw)
        ? { value: raw as V[number] }
        : { error: `is not one of ${options.values.join(', ')}` },
  };
}

function inRange(value: number, min?: number, max?: number): { value: number } | { error: string } {
  if (min !== undefined && value < min) return { error: `is below the minimum ${min}` };
  if (max !== undefined && value > max) return { error: `is above the maximum ${max}` };
  return { value };
}

/**
 * Validate `env` against `schema`. An empty string counts as unset (how
 * Kubernetes renders an empty value). Throws InvalidArgumentError listing
 * every bad or missing variable.
 */
export function readConfig<S extends ConfigSchema>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(schema)) {
    const raw = env[spec.name];
    if (raw === undefined || raw === '') {
      if (spec.default !== undefined) out[key] = spec.default;
      else if (spec.optional) out[key] = undefined;
      else
        problems.push(
          `${spec.name} is required${spec.description ? ` (${spec.description})` : ''}`,
        );
      continue;
    }
    const parsed = spec.parse(raw);
    if ('error' in parsed) {
      const shown = spec.secret || SECRET_KEY.test(spec.name) ? REDACTED : JSON.stringify(raw);
      problems.push(`${spec.name}=${shown} ${parsed.error}`);
    } else {
      out[key] = parsed.value;
    }
  }
  if (problems.length > 0) {
    throw new InvalidArgumentError(`invalid configuration: ${problems.join('; ')}`);
  }
  return out as ConfigOf<S>;
}
