import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from '@thoughtspace/service-kit';

/**
 * The CLI's diagnostics (what it is doing, warnings, errors) go through the
 * same pino logger as the services, so LOG_LEVEL silences them and, with
 * LOG_FORMAT=json, they are JSON lines carrying the active trace_id/span_id
 * (e.g. inside `replay`'s traces) for a log pipeline. On a terminal the
 * default is the message alone, as a person reads it. Results (tables) are
 * data and stay on stdout, outside the logger.
 */
export function createDiagnostics(env: NodeJS.ProcessEnv = process.env): Logger {
  const raw = (env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    process.stderr.write(
      `thoughtspace: LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"; using info\n`,
    );
  }
  const level = ((LOG_LEVELS as readonly string[]).includes(raw) ? raw : 'info') as LogLevel;
  const json = env.LOG_FORMAT === 'json';
  return createLogger({
    level,
    namespace: 'thoughtspace',
    stream: {
      write: (line: string) => {
        if (json) return process.stderr.write(line);
        const { msg } = JSON.parse(line) as { msg?: string };
        return process.stderr.write(`${msg ?? ''}\n`);
      },
    },
  });
}

/** The CLI process's diagnostics logger. */
export const diag: Logger = createDiagnostics();
