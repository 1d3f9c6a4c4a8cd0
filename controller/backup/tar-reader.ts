/**
 * A streaming tar reader for what `TarWriter` (and Go's archive/tar) write: ustar headers, PAX
 * `path` records, GNU long names. Yields regular files with their whole content (backup items
 * are small JSON files); directories and other types are skipped. Checksums are verified:
 * a damaged header is an `Integrity` error, never a silent skip.
 */
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { SkiffError } from '../../repository/errors/errors.ts';

const BLOCK = 512;

export interface TarEntry {
  readonly path: string;
  readonly data: Buffer;
}

/** Reads exact byte counts from a chunk stream. */
class ByteSource {
  readonly #it: AsyncIterator<Buffer>;
  #buf: Buffer = Buffer.alloc(0);
  constructor(src: AsyncIterable<Buffer | Uint8Array>) {
    this.#it = (async function* () {
      for await (const c of src) yield Buffer.isBuffer(c) ? c : Buffer.from(c);
    })();
  }
  /** exactly n bytes, or undefined at a clean end of stream before any byte */
  async read(n: number): Promise<Buffer | undefined> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      if (this.#buf.length === 0) {
        const r = await this.#it.next();
        if (r.done === true) {
          if (have === 0) return undefined;
          throw new SkiffError('Integrity', 'tar archive ends in the middle of an entry');
        }
        this.#buf = r.value;
      }
      const take = Math.min(n - have, this.#buf.length);
      parts.push(this.#buf.subarray(0, take));
      this.#buf = this.#buf.subarray(take);
      have += take;
    }
    return Buffer.concat(parts, n);
  }
}

function str(h: Buffer, off: number, len: number): string {
  const f = h.subarray(off, off + len);
  const end = f.indexOf(0);
  return f.subarray(0, end < 0 ? len : end).toString('utf8');
}

function num(h: Buffer, off: number, len: number): number {
  const s = str(h, off, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
  return sum === num(h, 148, 8);
}

function paxPath(data: Buffer): string | undefined {
  let path: string | undefined;
  for (let off = 0; off < data.length; ) {
    const sp = data.indexOf(0x20, off);
    const len = sp < 0 ? NaN : Number(data.subarray(off, sp).toString('ascii'));
    if (!Number.isInteger(len) || len <= 0 || off + len > data.length) throw new SkiffError('Integrity', 'malformed PAX header in tar archive');
    const kv = data.subarray(sp + 1, off + len - 1).toString('utf8');
    const eq = kv.indexOf('=');
    if (kv.slice(0, eq) === 'path') path = kv.slice(eq + 1);
    off += len;
  }
  return path;
}

export async function* readTar(src: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<TarEntry> {
  const bytes = new ByteSource(src);
  let longPath: string | undefined;
  for (;;) {
    const h = await bytes.read(BLOCK);
    if (h === undefined || h.every((b) => b === 0)) return;
    if (!checksumOk(h)) throw new SkiffError('Integrity', 'tar header checksum mismatch');
    const size = num(h, 124, 12);
    const type = String.fromCharCode(h[156] ?? 0);
    const data = (await bytes.read(size)) ?? Buffer.alloc(0);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (pad > 0) await bytes.read(pad);
    if (type === 'x') longPath = paxPath(data) ?? longPath;
    else if (type === 'L') longPath = str(data, 0, data.length);
    else if (type === '0' || type === '\0') {
      const prefix = str(h, 345, 155);
      const name = str(h, 0, 100);
      yield { path: longPath ?? (prefix === '' ? name : `${prefix}/${name}`), data };
      longPath = undefined;
    } else longPath = undefined;
  }
}

/** Entries of a gzip'd tar stream (a `<backup>.tar.gz`). */
export function readTarGz(src: Readable): AsyncGenerator<TarEntry> {
  const gunzip = createGunzip();
  src.on('error', (err) => gunzip.destroy(err));
  return readTar(src.pipe(gunzip));
}
