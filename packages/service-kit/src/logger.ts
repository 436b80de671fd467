import { context, isSpanContextValid, trace, type Context } from '@opentelemetry/api';
import pino from 'pino';
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
  /** Where JSON lines go; defaults to stderr (written synchronously) so stdout stays for data. */
  stream?: { write(line: string): unknown };
  /** Namespace of the root logger, e.g. the service name. */
  namespace?: string;
  /** Fields on every line (service name, version). */
  fields?: LogFields;
  /** Clock, injectable for tests. */
  now?: () => Date;
}

/** Whether a logger at `level` writes a `line`-level line. */
export function enabled(level: LogLevel, line: Exclude<LogLevel, 'silent'>): boolean {
  return LOG_LEVELS.indexOf(line) >= LOG_LEVELS.indexOf(level);
}

/** Keys pino or this module writes itself; a field of the same name is dropped so it cannot forge them. */
const RESERVED = new Set(['time', 'level', 'msg', 'ns', 'trace_id', 'span_id', 'trace_flags']);

function fieldsOf(value: unknown): LogFields {
  const out = redact(value) as LogFields;
  for (const key of RESERVED) delete out[key];
  return out;
}

/** The active span's ids, so every line written inside a span joins its trace. */
function traceFields(): LogFields {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const sc = span.spanContext();
  if (!isSpanContextValid(sc)) return {};
  return {
    trace_id: sc.traceId,
    span_id: sc.spanId,
    trace_flags: `0${sc.traceFlags.toString(16)}`.slice(-2),
  };
}

/**
 * Structured JSON logs through pino, one object per line:
 * `{"level":"info","time":"...","ns":"candidate-gen","trace_id":"...","span_id":"...","msg":"listening","port":50051}`.
 * Inside an active OpenTelemetry span every line carries its `trace_id` and
 * `span_id`. Field keys matching /token|secret|password|key/i, at any depth,
 * are written as `[redacted]`; errors are reduced to name, message, code and
 * the top of the stack.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const now = options.now ?? (() => new Date());
  const destination = options.stream ?? pino.destination({ fd: 2, sync: true });
  const root = pino(
    {
      level,
      base: null,
      timestamp: () => `,"time":"${now().toISOString()}"`,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => redact(bindings) as LogFields,
        log: (obj) => redact(obj) as LogFields,
      },
      mixin: traceFields,
      // The mixin's ids win over a field of the same name.
      mixinMergeStrategy: (merge, mixin) => Object.assign(merge, mixin),
    },
    destination as pino.DestinationStream,
  );

  // Each wrapper derives its pino child from the root with the merged bindings,
  // so a nested namespace writes one `ns` key rather than one per level.
  // Namespaces are few (a service, its methods) and asked for on every call: made once each.
  const make = (ns: string | undefined, base: LogFields): Logger => {
    const bindings = fieldsOf(base);
    if (ns) bindings.ns = ns;
    const p = Object.keys(bindings).length > 0 ? root.child(bindings) : root;
    const write =
      (lineLevel: Exclude<LogLevel, 'silent'>) =>
      (msg: string, fields?: LogFields): void => {
        // Below the level nothing is built: a call's debug line costs nothing at info.
        if (!enabled(level, lineLevel)) return;
        if (fields) p[lineLevel](fieldsOf(fields), msg);
        else p[lineLevel](msg);
      };
    const namespaces = new Map<string, Logger>();
    return {
      level,
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      namespace: (name) => {
        let made = namespaces.get(name);
        if (!made) namespaces.set(name, (made = make(ns ? `${ns}:${name}` : name, base)));
        return made;
      },
      child: (fields) => make(ns, { ...base, ...fields }),
    };
  };
  return make(options.namespace, options.fields ?? {});
}

/**
 * A logger whose lines always carry the span of `ctx` (an RPC's server span),
 * even when written from a callback outside that context (a completion
 * handler, a timer): every line of a call joins the call's trace.
 */
export function loggerInContext(logger: Logger, ctx: Context): Logger {
  const bind =
    (level: Exclude<LogLevel, 'silent'>) =>
    (message: string, fields?: LogFields): void => {
      if (enabled(logger.level, level)) context.with(ctx, () => logger[level](message, fields));
    };
  return {
    level: logger.level,
    debug: bind('debug'),
    info: bind('info'),
    warn: bind('warn'),
    error: bind('error'),
    namespace: (name) => loggerInContext(logger.namespace(name), ctx),
    child: (fields) => loggerInContext(logger.child(fields), ctx),
  };
}

/** A logger that writes nothing: the default where a logger is optional. */
export const silentLogger: Logger = createLogger({ level: 'silent', stream: { write: () => {} } });
