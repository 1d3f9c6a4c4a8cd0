/**
 * A backup's own log and its results. Every line goes to the server's logger (with the backup's
 * name bound) and into the backup's log file (`<name>-logs.gz`, gzip'd JSON lines); warnings and
 * errors also go to `<name>-results.json.gz` in Velero's results shape, grouped as Skiff-wide,
 * cluster-scoped, or per namespace.
 */
import { gzipSync } from 'node:zlib';
import type { Clock, Logger } from '../runtime/index.ts';
import type { CollectLog } from './collect.ts';

/** Velero's `results.Result`, with `skiff` in place of `velero`. */
export interface Result {
  skiff?: string[];
  cluster?: string[];
  namespaces?: Record<string, string[]>;
}

export interface BackupResults {
  errors: Result;
  warnings: Result;
}

/** Lines kept for the log file; past this only warnings and errors are kept. */
const MAX_INFO_LINES = 50_000;

function add(r: Result, msg: string, scope: { namespace?: string | undefined; cluster?: boolean } | undefined): void {
  if (scope?.namespace !== undefined) {
    const ns = (r.namespaces ??= {});
    (ns[scope.namespace] ??= []).push(msg);
  } else if (scope?.cluster === true) (r.cluster ??= []).push(msg);
  else (r.skiff ??= []).push(msg);
}

export class BackupReport implements CollectLog {
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #lines: string[] = [];
  #infoLines = 0;
  readonly results: BackupResults = { errors: {}, warnings: {} };
  errorCount = 0;
  warningCount = 0;

  constructor(log: Logger, clock: Clock) {
    this.#log = log;
    this.#clock = clock;
  }

  #line(level: 'info' | 'warning' | 'error', msg: string, fields: Record<string, unknown>): void {
    if (level === 'info' && ++this.#infoLines > MAX_INFO_LINES) return;
    this.#lines.push(JSON.stringify({ level, time: this.#clock.now().toISOString(), msg, ...fields }));
  }

  info(msg: string, fields: Record<string, unknown> = {}): void {
    this.#log.info(fields, msg);
    this.#line('info', msg, fields);
  }

  warn(msg: string, scope?: { namespace?: string | undefined; cluster?: boolean }): void {
    this.warningCount++;
    add(this.results.warnings, msg, scope);
    this.#log.warn(scope?.namespace === undefined ? {} : { namespace: scope.namespace }, msg);
    this.#line('warning', msg, scope?.namespace === undefined ? {} : { namespace: scope.namespace });
  }

  error(msg: string, scope?: { namespace?: string | undefined; cluster?: boolean }): void {
    this.errorCount++;
    add(this.results.errors, msg, scope);
    this.#log.error(scope?.namespace === undefined ? {} : { namespace: scope.namespace }, msg);
    this.#line('error', msg, scope?.namespace === undefined ? {} : { namespace: scope.namespace });
  }

  /** The log file's bytes: gzip'd JSON lines. */
  logsGz(): Buffer {
    return gzipSync(Buffer.from(this.#lines.map((l) => `${l}\n`).join('')));
  }
}
