import { InvalidArgumentError } from '@thoughtspace/runtime';
import { protoFieldName } from './internal/names';

/**
 * Request validation at the gRPC boundary. Each helper reads one field of a
 * generated message by its TypeScript key, returns the checked value, and
 * throws InvalidArgumentError naming the proto field (`user_id`, not
 * `userId`) and the bad value's shape — never the value of a free-text field.
 */

export interface FieldOptions {
  /** Name in messages, when the field is nested: e.g. `history.user_id`. */
  label?: string;
}

function label(key: string, options: FieldOptions): string {
  return options.label ?? protoFieldName(key);
}

export interface StringOptions extends FieldOptions {
  /** Upper bound on length in UTF-16 code units (default 1024). */
  maxLength?: number;
}

/** A non-empty string field (proto3 strings default to "", so empty means "not set"). */
export function requireString<T, K extends keyof T & string>(
  message: T,
  key: K,
  options: StringOptions = {},
): string {
  const value: unknown = message[key];
  const name = label(key, options);
  if (typeof value !== 'string') throw new InvalidArgumentError(`${name} must be a string`);
  if (value.length === 0) throw new InvalidArgumentError(`${name} is required`);
  const max = options.maxLength ?? 1024;
  if (value.length > max) {
    throw new InvalidArgumentError(
      `${name} must be at most ${max} characters, got ${value.length}`,
    );
  }
  return value;
}

export interface IntOptions extends FieldOptions {
  min?: number;
  max?: number;
  /** The value a 0 stands for: proto3 cannot tell "unset" from 0, so `0 = server default` fields use it. */
  zeroMeans?: number;
}

/** An integer field within [min, max]. */
export function requireInt<T, K extends keyof T & string>(
  message: T,
  key: K,
  options: IntOptions = {},
): number {
  const raw: unknown = message[key];
  const name = label(key, options);
  const value = raw === 0 && options.zeroMeans !== undefined ? options.zeroMeans : raw;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new InvalidArgumentError(`${name} must be an integer, got ${describeShape(raw)}`);
  }
  const min = options.min ?? Number.MIN_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  if (value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be in [${min}, ${max}], got ${value}`);
  }
  return value;
}

export interface ArrayOptions extends FieldOptions {
  /** Upper bound on the number of elements. */
  max?: number;
}

/** A repeated field with at least one element (and at most `max`). */
export function requireNonEmpty<T, K extends keyof T & string>(
  message: T,
  key: K,
  options: ArrayOptions = {},
): T[K] & readonly unknown[] {
  const value: unknown = message[key];
  const name = label(key, options);
  if (!Array.isArray(value)) throw new InvalidArgumentError(`${name} must be a list`);
  if (value.length === 0) throw new InvalidArgumentError(`${name} must not be empty`);
  if (options.max !== undefined && value.length > options.max) {
    throw new InvalidArgumentError(
      `${name} must have at most ${options.max} elements, got ${value.length}`,
    );
  }
  return value as T[K] & readonly unknown[];
}

/** A sub-message field that must be present. */
export function requireMessage<T, K extends keyof T & string>(
  message: T,
  key: K,
  options: FieldOptions = {},
): NonNullable<T[K]> {
  const value = message[key];
  if (value === undefined || value === null) {
    throw new InvalidArgumentError(`${label(key, options)} is required`);
  }
  return value as NonNullable<T[K]>;
}

export interface EnumOptions extends FieldOptions {
  /** Accept the zero value (`*_UNSPECIFIED`); default false. */
  allowUnspecified?: boolean;
}

/**
 * An enum field holding one of `values` (a ts-proto enum object). Rejects
 * UNRECOGNIZED (-1, a value newer than this server) and, unless allowed, 0.
 */
export function requireEnum<T, K extends keyof T & string>(
  message: T,
  key: K,
  values: Record<string, string | number>,
  options: EnumOptions = {},
): T[K] {
  const value = message[key] as unknown;
  const name = label(key, options);
  const known = Object.values(values).filter((v): v is number => typeof v === 'number' && v >= 0);
  if (typeof value !== 'number' || !known.includes(value)) {
    throw new InvalidArgumentError(`${name} has an unknown value ${describeShape(value)}`);
  }
  if (value === 0 && !options.allowUnspecified) {
    throw new InvalidArgumentError(`${name} must be specified`);
  }
  return value as T[K];
}

/** A value's shape for an error message: numbers as they are, anything else by type. */
function describeShape(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `a string of length ${value.length}`;
  if (value === null) return 'null';
  return typeof value;
}
