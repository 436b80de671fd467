import { redact } from './internal/redact';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Extra structured fields of a log line. Secret-looking keys are redacted. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger for a component: `root.namespace('candidate-gen').namespace('kafka')` logs `candidate-gen:kafka`. */
  namespace(name: string): Logger;
  /** A logger that adds `fields` to every line (e.g. a request id). */
  child(fields: LogFields): Logger;
  readonly level: LogLevel;
}

export interface LoggerOptions {
  /** Lowest level written (default `info`); `silent` writes nothing. */
  level?: LogLevel;
  /** Where JSON lines go; defaults to process.stderr so stdout stays for data. */
  stream?: { write(line: string): unknown };
  /** Namespace of the root logger, e.g. the service name. */
  namespace?: string;
  /** Fields on every line (service name, version). */
  fields?: LogFields;
  /** Clock, injectable for tests. */
  now?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * Structured JSON logs, one object per line:
 * `{"time":"...","level":"info","ns":"candidate-gen","msg":"listening","port":50051}`.
 * Field keys matching /token|secret|password|key/i are written as `[redacted]`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => new Date());

  const make = (ns: string | undefined, base: LogFields): Logger => {
    const write = (lineLevel: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
      if (RANK[lineLevel] < RANK[level]) return;
      const line: LogFields = { time: now().toISOString(), level: lineLevel };
      if (ns) line.ns = ns;
      line.msg = msg;
      // Fixed keys win over fields so a field cannot forge the level or time.
      const extra = redact({ ...base, ...fields }) as LogFields;
      for (const [k, v] of Object.entries(extra)) if (!(k in line)) line[k] = v;
      stream.write(`${JSON.stringify(line)}\n`);
    };
    return {
      level,
      debug: (m, f) => write('debug', m, f),
      info: (m, f) => write('info', m, f),
      warn: (m, f) => write('warn', m, f),
      error: (m, f) => write('error', m, f),
      namespace: (name) => make(ns ? `${ns}:${name}` : name, base),
      child: (fields) => make(ns, { ...base, ...fields }),
    };
  };
  return make(options.namespace, options.fields ?? {});
}

/** A logger that writes nothing: the default where a logger is optional. */
export const silentLogger: Logger = createLogger({ level: 'silent' });
