import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths whose values never reach a log line, whatever object they sit in. Secrets are normally referenced
 * (`env:NAME`), but a resolved secret may pass through a transport's options.
 */
export const REDACTED_PATHS = [
  'password',
  'passphrase',
  'privateKey',
  'token',
  'secret',
  'authorization',
  '*.password',
  '*.passphrase',
  '*.privateKey',
  '*.token',
  '*.secret',
  '*.authorization',
  'headers.authorization',
];

export interface LoggerSettings {
  level?: string;
  /** Pretty, coloured lines for a person at a terminal; JSON lines otherwise. Default: whether stdout is a TTY. */
  pretty?: boolean;
  destination?: NodeJS.WritableStream;
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env.REDBACK_LOG_LEVEL ?? 'info',
    base: { pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  const pretty = settings.pretty ?? Boolean(process.stdout.isTTY);
  if (pretty && settings.destination === undefined) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } },
    });
  }
  return settings.destination === undefined ? pino(options) : pino(options, settings.destination);
}

/** A logger that writes nothing, for tests and library callers that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
