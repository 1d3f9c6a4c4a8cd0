import { pino, stdTimeFunctions, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { REDACT_PATHS } from './redact.ts';
import type { Logger } from './types.ts';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** default `info` */
  level?: LogLevel;
  /** default stdout */
  destination?: DestinationStream;
  /** bindings on every line, e.g. `{ component: 'server' }` */
  base?: Record<string, unknown>;
}

/**
 * The one logger `skiff server` makes in main and passes down (`log.child({ controller, backup })`):
 * pino, one JSON object per line, ISO time, level as a word, well-known secret fields censored
 * (`[redacted]`) and `Redacted` values printing as `[redacted]`.
 */
export function makeLogger(opts: LoggerOptions = {}): Logger {
  const p = pino(
    {
      level: opts.level ?? 'info',
      base: opts.base ?? {},
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  return wrapPino(p);
}

export function wrapPino(p: PinoLogger): Logger {
  const call = (fn: 'debug' | 'info' | 'warn' | 'error') => (obj: object | string, msg?: string) => {
    if (typeof obj === 'string') p[fn](obj);
    else if (msg === undefined) p[fn](obj);
    else p[fn](obj, msg);
  };
  return {
    debug: call('debug'),
    info: call('info'),
    warn: call('warn'),
    error: call('error'),
    child: (bindings) => wrapPino(p.child(bindings)),
  };
}

/** A logger that drops everything: libraries' default. */
export function silentLogger(): Logger {
  const self: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => self };
  return self;
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps entries in memory (child bindings merged into `fields`), for tests. */
export function memoryLogger(): { log: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const call = (level: LogEntry['level']) => (obj: object | string, msg?: string) => {
      if (typeof obj === 'string') entries.push({ level, msg: obj, fields: { ...bindings } });
      else entries.push({ level, msg: msg ?? '', fields: { ...bindings, ...(obj as Record<string, unknown>) } });
    };
    return { debug: call('debug'), info: call('info'), warn: call('warn'), error: call('error'), child: (b) => make({ ...bindings, ...b }) };
  };
  return { log: make({}), entries };
}
