// The restore's own log, uploaded as `restore-<name>-logs.gz`: gzip'd JSON lines
// (`{"level","time","msg",...fields}`, the backup log's format), compressed as they are written
// so memory holds only compressed bytes however long the restore. Every line also goes to the
// server's logger (info lines at debug level: the restore log is where they belong).
import { createGzip } from 'node:zlib';
import type { Clock, Logger } from '../runtime/types.ts';

export type LogFields = Record<string, string | number | boolean | undefined>;

export class RunLog {
  private readonly gzip = createGzip();
  private readonly chunks: Buffer[] = [];
  private readonly done: Promise<Buffer>;
  private readonly clock: Clock;
  private readonly server: Logger;
  private closed = false;

  constructor(clock: Clock, server: Logger) {
    this.clock = clock;
    this.server = server;
    this.gzip.on('data', (c: Buffer) => this.chunks.push(c));
    this.done = new Promise((resolve, reject) => {
      this.gzip.once('end', () => resolve(Buffer.concat(this.chunks)));
      this.gzip.once('error', reject);
    });
  }

  private write(level: 'info' | 'warning' | 'error', msg: string, fields: LogFields = {}): void {
    if (this.closed) return;
    this.gzip.write(`${JSON.stringify({ level, time: this.clock.now().toISOString(), msg, ...fields })}\n`);
  }

  info(msg: string, fields?: LogFields): void {
    this.write('info', msg, fields);
    this.server.debug({ ...fields }, msg);
  }

  warn(msg: string, fields?: LogFields): void {
    this.write('warning', msg, fields);
    this.server.warn({ ...fields }, msg);
  }

  error(msg: string, fields?: LogFields): void {
    this.write('error', msg, fields);
    this.server.error({ ...fields }, msg);
  }

  /** Ends the log; resolves with the gzip'd bytes. Later lines are dropped. */
  finish(): Promise<Buffer> {
    if (!this.closed) {
      this.closed = true;
      this.gzip.end();
    }
    return this.done;
  }
}
