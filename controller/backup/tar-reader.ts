// A streaming reader of POSIX tar (ustar, with pax `path` records and GNU long names), as TarWriter
// and Go's archive/tar write them; enough for backup tarballs: it yields regular files one at a
// time, each buffered whole (resource JSON is small; `maxEntryBytes` bounds it). Header checksums
// are verified; malformed input fails with SkiffError code Integrity. Backup and restore share it.
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SkiffError } from '../../repository/index.ts';

export interface TarEntry {
  readonly path: string;
  readonly data: Buffer;
}

const BLOCK = 512;

/** Pulls exact byte counts out of a chunked stream. */
class ByteReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private readonly it: AsyncIterator<Buffer | string>;
  constructor(source: AsyncIterable<Buffer | string>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Exactly `n` bytes, or undefined at a clean end of stream (no bytes left). */
  async read(n: number): Promise<Buffer | undefined> {
    while (this.buffered < n) {
      const next = await this.it.next();
      if (next.done === true) {
        if (this.buffered === 0) return undefined;
        throw new SkiffError('Integrity', `tar archive is truncated (${this.buffered} of ${n} bytes)`);
      }
      const b = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      this.chunks.push(b);
      this.buffered += b.length;
    }
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.chunks.length = 0;
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    if (rest.length > 0) this.chunks.push(rest);
    this.buffered = rest.length;
    return out;
  }

  /** Reads and discards whatever is left (the zero blocks and record padding after the archive). */
  async drain(): Promise<void> {
    this.chunks.length = 0;
    this.buffered = 0;
    for (;;) if ((await this.it.next()).done === true) return;
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const step = Math.min(left, 1 << 20);
      if ((await this.read(step)) === undefined) throw new SkiffError('Integrity', 'tar archive is truncated');
      left -= step;
    }
  }
}

function cString(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end === -1 ? b.length : end).toString('utf8');
}

/** Octal numeric field, or GNU base-256 when the high bit of the first byte is set. */
function numeric(b: Buffer): number {
  if (b.length > 0 && ((b[0] as number) & 0x80) !== 0) {
    let v = (b[0] as number) & 0x7f;
    for (let i = 1; i < b.length; i++) v = v * 256 + (b[i] as number);
    return v;
  }
  const s = cString(b).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new SkiffError('Integrity', `tar header has a bad numeric field "${s}"`);
  return parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = numeric(h.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] as number);
  return sum === stored;
}

/** pax extended header records: `<len> <key>=<value>\n`. */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const len = parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0) throw new SkiffError('Integrity', 'tar pax header is malformed');
    const rec = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out.set(rec.slice(0, eq), rec.slice(eq + 1));
    pos += len;
  }
  return out;
}

export interface ReadTarOptions {
  /** largest regular file accepted, default 64 MiB */
  readonly maxEntryBytes?: number;
}

/** Yields the regular files of a tar stream in archive order; directories and links are skipped. */
export async function* readTar(source: AsyncIterable<Buffer | string> | Readable, opts: ReadTarOptions = {}): AsyncGenerator<TarEntry> {
  const max = opts.maxEntryBytes ?? 64 << 20;
  const r = new ByteReader(source);
  let longName: string | undefined;
  for (;;) {
    const h = await r.read(BLOCK);
    if (h === undefined) return; // some writers omit the two zero blocks
    if (h.every((x) => x === 0)) {
      await r.drain();
      return;
    }
    if (!checksumOk(h)) throw new SkiffError('Integrity', 'tar header checksum mismatch');
    const size = numeric(h.subarray(124, 136));
    const type = String.fromCharCode(h[156] as number);
    const ustar = h.subarray(257, 262).toString('ascii') === 'ustar';
    const prefix = ustar ? cString(h.subarray(345, 500)) : '';
    const headerName = (prefix === '' ? '' : `${prefix}/`) + cString(h.subarray(0, 100));
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    const isMeta = type === 'x' || type === 'L' || type === 'g';
    const isFile = type === '0' || type === '\0' || type === '7';
    if ((isMeta || isFile) && size > max) throw new SkiffError('Integrity', `tar entry ${headerName} is too large (${size} bytes)`);
    if (!isMeta && !isFile) {
      await r.skip(padded);
      longName = undefined;
      continue;
    }
    const body = size === 0 ? Buffer.alloc(0) : await r.read(padded);
    if (body === undefined) throw new SkiffError('Integrity', 'tar archive is truncated');
    const data = body.subarray(0, size);
    if (type === 'x') {
      longName = paxRecords(data).get('path') ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = cString(data);
      continue;
    }
    if (type === 'g') continue;
    const path = longName ?? headerName;
    longName = undefined;
    yield { path, data: Buffer.from(data) };
  }
}

/** Entries of a gzip'd tar stream (a `<backup>.tar.gz`). */
export function readTarGz(src: Readable, opts: ReadTarOptions = {}): AsyncGenerator<TarEntry> {
  const gunzip = createGunzip();
  src.on('error', (err) => gunzip.destroy(err));
  return readTar(src.pipe(gunzip), opts);
}
