import { z } from 'zod';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { REDACTED, SECRET_KEY } from './internal/redact';

/**
 * Environment configuration declared once per service as a zod schema.
 * Each variable is an `envVar(name, zodSchema, meta)`; a service's config.ts
 * spreads the shared variables and adds its own, then calls
 * `readConfig(schema, process.env)` at start. Every problem is reported in
 * one error that names the variable and the bad value (secret-looking
 * variables show `[redacted]`). docs/configuration.md is generated from the
 * same declarations (`npm run docs:config`).
 *
 *   const schema = {
 *     ...SERVICE_CONFIG,
 *     modelDir: envVar('MODEL_DIR', z.string(), { description: 'model directory' }),
 *     maxK: intVar({ name: 'MAX_K', default: 100, min: 1, max: 1000 }),
 *   };
 *   type Config = ConfigOf<typeof schema>;
 *
 * `stringVar`, `intVar`, `floatVar`, `boolVar` and `enumVar` are shorthands
 * that build the zod schema from an options object.
 */

interface VarMeta {
  /** One line for docs and `--help`. */
  description?: string;
  /** Never echo the value in errors (also implied by names matching /token|secret|password|key/i). */
  secret?: boolean;
}

export interface VarSpec<T> extends VarMeta {
  /** Environment variable name. */
  name: string;
  /** Validates and converts a non-empty raw value; its issue messages complete "NAME=value ...". */
  schema: z.ZodType<T, string>;
  /** Human-readable type for docs, e.g. `integer 1..65535` or `one of cpu, cuda`. */
  type: string;
  default?: T;
  /** When unset and without a default, the value is undefined instead of an error. */
  optional?: boolean;
  /** Parse a non-empty raw value (the schema, as a result instead of a throw). */
  parse(raw: string): { value: T } | { error: string };
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

type Options<T> = VarMeta & { name: string; default?: T; optional?: boolean };

/** One variable: its name, a zod schema over the raw string, and what docs say about it. */
export function envVar<T, O extends Omit<Options<T>, 'name'> & { type?: string }>(
  name: string,
  schema: z.ZodType<T, string>,
  options: O = {} as O,
): VarSpec<T> & O & { name: string } {
  return {
    ...options,
    name,
    schema,
    type: options.type ?? 'string',
    parse: (raw) => {
      const r = schema.safeParse(raw);
      return r.success ? { value: r.data } : { error: r.error.issues[0]?.message ?? 'is invalid' };
    },
  };
}

const range = (min?: number, max?: number): string =>
  min !== undefined && max !== undefined
    ? ` ${min}..${max}`
    : min !== undefined
      ? ` >= ${min}`
      : max !== undefined
        ? ` <= ${max}`
        : '';

function bounded(n: z.ZodNumber, min?: number, max?: number): z.ZodNumber {
  let out = n;
  if (min !== undefined) out = out.min(min, { message: `is below the minimum ${min}` });
  if (max !== undefined) out = out.max(max, { message: `is above the maximum ${max}` });
  return out;
}

/** A raw string that must be a whole number, optionally within [min, max]. */
export const intString = (o: { min?: number; max?: number } = {}): z.ZodType<number, string> =>
  z
    .string()
    .regex(/^\s*[+-]?\d+\s*$/, { message: 'is not an integer' })
    .transform(Number)
    .pipe(bounded(z.number(), o.min, o.max));

/** A raw string that must be a finite number, optionally within [min, max]. */
export const floatString = (o: { min?: number; max?: number } = {}): z.ZodType<number, string> =>
  z
    .string()
    .refine((raw) => raw.trim() !== '' && Number.isFinite(Number(raw)), {
      message: 'is not a finite number',
    })
    .transform(Number)
    .pipe(bounded(z.number(), o.min, o.max));

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** true/false/1/0/yes/no/on/off, any case. */
export const boolString = (): z.ZodType<boolean, string> =>
  z
    .string()
    .transform((raw) => raw.trim().toLowerCase())
    .refine((v) => TRUE.has(v) || FALSE.has(v), {
      message: 'is not a boolean (true/false/1/0/yes/no/on/off)',
    })
    .transform((v) => TRUE.has(v));

export function stringVar<O extends Options<string> & { pattern?: RegExp }>(
  options: O,
): VarSpec<string> & O {
  const schema = options.pattern
    ? z.string().regex(options.pattern, { message: `does not match ${String(options.pattern)}` })
    : z.string();
  return { ...envVar(options.name, schema, { type: 'string' }), ...options };
}

export function intVar<O extends Options<number> & { min?: number; max?: number }>(
  options: O,
): VarSpec<number> & O {
  const type = `integer${range(options.min, options.max)}`;
  return { ...envVar(options.name, intString(options), { type }), ...options };
}

export function floatVar<O extends Options<number> & { min?: number; max?: number }>(
  options: O,
): VarSpec<number> & O {
  const type = `number${range(options.min, options.max)}`;
  return { ...envVar(options.name, floatString(options), { type }), ...options };
}

export function boolVar<O extends Options<boolean>>(options: O): VarSpec<boolean> & O {
  return { ...envVar(options.name, boolString(), { type: 'boolean' }), ...options };
}

export function enumVar<const V extends readonly string[], O extends Options<V[number]>>(
  options: O & { values: V },
): VarSpec<V[number]> & O {
  const schema = z
    .string()
    .refine((raw) => (options.values as readonly string[]).includes(raw), {
      message: `is not one of ${options.values.join(', ')}`,
    })
    .transform((raw) => raw as V[number]);
  return {
    ...envVar(options.name, schema, { type: `one of ${options.values.join(', ')}` }),
    ...options,
  };
}

/**
 * The zod object over environment variable names that `readConfig` parses:
 * an empty string counts as unset (how Kubernetes renders an empty value),
 * defaults and optional variables as declared.
 */
export function configObject(schema: ConfigSchema): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const spec of Object.values(schema)) {
    shape[spec.name] = z
      .string()
      .optional()
      .transform((raw, ctx) => {
        if (raw === undefined || raw === '') {
          if (spec.default !== undefined) return spec.default;
          if (spec.optional) return undefined;
          const why = spec.description ? ` (${spec.description})` : '';
          ctx.addIssue({ code: 'custom', message: `is required${why}` });
          return z.NEVER;
        }
        const r = spec.schema.safeParse(raw);
        if (r.success) return r.data;
        ctx.addIssue({ code: 'custom', message: r.error.issues[0]?.message ?? 'is invalid' });
        return z.NEVER;
      });
  }
  return z.object(shape);
}

function describeIssue(spec: VarSpec<unknown>, raw: string | undefined, message: string): string {
  if (raw === undefined || raw === '') return `${spec.name} ${message}`;
  const shown = spec.secret || SECRET_KEY.test(spec.name) ? REDACTED : JSON.stringify(raw);
  return `${spec.name}=${shown} ${message}`;
}

/**
 * Validate `env` against `schema`. Throws InvalidArgumentError listing every
 * bad or missing variable, in declaration order.
 */
export function readConfig<S extends ConfigSchema>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): ConfigOf<S> {
  const raw: Record<string, string | undefined> = {};
  for (const spec of Object.values(schema)) raw[spec.name] = env[spec.name];
  const parsed = configObject(schema).safeParse(raw);
  if (!parsed.success) {
    const byName = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      if (!byName.has(name)) byName.set(name, issue.message);
    }
    const problems = Object.values(schema)
      .filter((spec) => byName.has(spec.name))
      .map((spec) => describeIssue(spec, env[spec.name], byName.get(spec.name)!));
    throw new InvalidArgumentError(`invalid configuration: ${problems.join('; ')}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) out[key] = parsed.data[spec.name];
  return out as ConfigOf<S>;
}

/** One row of a configuration table: what docs/configuration.md shows for a variable. */
export interface ConfigDocRow {
  name: string;
  type: string;
  default: string;
  description: string;
}

/** The documentation rows of a schema, in declaration order (a default marked `secret` is never shown). */
export function describeConfig(schema: ConfigSchema): ConfigDocRow[] {
  return Object.values(schema).map((spec) => ({
    name: spec.name,
    type: spec.type,
    default:
      spec.default !== undefined
        ? spec.secret
          ? REDACTED
          : String(spec.default)
        : spec.optional
          ? '(unset)'
          : '(required)',
    description: spec.description ?? '',
  }));
}
