/**
 * A streaming tar writer (POSIX ustar, with a PAX `path` record for names ustar cannot hold),
 * the format Go's archive/tar writes for Velero. Regular files only. Memory is bounded: each
 * `add` waits for the sink to drain, and an aborted `signal` ends any wait with its reason.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

const BLOCK = 512;

export interface TarEntryOptions {
  /** default 0o755, as Velero writes */
  readonly mode?: number;
  /** seconds since the epoch; default 0 */
  readonly mtime?: number;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, prefix: string, size: number, type: string, opts: TarEntryOptions): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(opts.mode ?? 0o755, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(opts.mtime ?? 0), 12), 136, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** ustar name/prefix split of `path`, or undefined when it needs a PAX record. */
export function splitUstarPath(path: string): { name: string; prefix: string } | undefined {
  if (!/^[\x20-\x7e]*$/.test(path)) return undefined;
  if (path.length <= 100) return { name: path, prefix: '' };
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (prefix.length <= 155 && name.length <= 100 && name.length > 0) return { name, prefix };
  }
  return undefined;
}

/** One PAX record `"<len> key=value\n"`, where len counts the whole record in bytes. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  let len = bodyLen + String(bodyLen).length;
  if (String(len).length + bodyLen !== len) len = bodyLen + String(len).length;
  return `${len}${body}`;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

export class TarWriter {
  readonly #out: Writable;
  readonly #signal: AbortSignal | undefined;
  #finished = false;

  constructor(out: Writable, opts: { signal?: AbortSignal } = {}) {
    this.#out = out;
    this.#signal = opts.signal;
  }

  async #write(buf: Buffer): Promise<void> {
    this.#signal?.throwIfAborted();
    if (buf.length === 0) return;
    if (!this.#out.write(buf)) await once(this.#out, 'drain', this.#signal ? { signal: this.#signal } : {});
  }

  /** Appends one regular file. Entries appear in the order added. */
  async add(path: string, data: Buffer, opts: TarEntryOptions = {}): Promise<void> {
    if (this.#finished) throw new Error('tar writer already finished');
    const split = splitUstarPath(path);
    if (split === undefined) {
      const pax = Buffer.from(paxRecord('path', path), 'utf8');
      const base = path.slice(path.lastIndexOf('/') + 1).slice(0, 80).replace(/[^\x20-\x7e]/g, '_');
      await this.#write(header(`PaxHeaders.0/${base}`, '', pax.length, 'x', opts));
      await this.#write(Buffer.concat([pax, padding(pax.length)]));
    }
    const { name, prefix } = split ?? { name: path.slice(-100).replace(/[^\x20-\x7e]/g, '_'), prefix: '' };
    await this.#write(header(name, prefix, data.length, '0', opts));
    await this.#write(Buffer.concat([data, padding(data.length)]));
  }

  /** Writes the two zero blocks that end an archive; does not end the sink. */
  async finish(): Promise<void> {
    this.#finished = true;
    await this.#write(Buffer.alloc(2 * BLOCK));
  }
}
