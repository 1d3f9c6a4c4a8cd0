/** Test-only helpers: seeded pseudo-random bytes and a reference chunker. Not exported by index.ts. */
import type { ChunkerParams } from './params.ts';

/** Deterministic bytes from xorshift32 (seed must be non-zero); fast enough for tens of MiB. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(length / 4));
  let x = seed | 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  return new Uint8Array(words.buffer, 0, length);
}

/** The FastCDC rule of find-cut.ts written plainly, one byte at a time, to check the fast loop. */
export function referenceCut(p: ChunkerParams, buf: Uint8Array, start: number, end: number): number {
  const bits = Math.log2(p.avg);
  const maskS = Number((0xffffffffn << BigInt(32 - (bits + 2))) & 0xffffffffn);
  const maskL = Number((0xffffffffn << BigInt(32 - (bits - 2))) & 0xffffffffn);
  const normal = Math.floor((p.min + p.avg) / 2);
  let fp = 0;
  for (let len = p.min + 1; len <= Math.min(end - start, p.max); len++) {
    fp = (fp * 2 + p.gear[buf[start + len - 1]!]!) % 2 ** 32;
    const mask = len - 1 < normal ? maskS : maskL;
    if ((fp & mask) >>> 0 === 0 || len === p.max) return len;
  }
  return -1;
}
