/**
 * Deterministic bytes for the benchmark data sets: the AES-128-CTR keystream of a key derived from
 * a seed string (fast, incompressible, identical on every machine), and a small integer PRNG on
 * top of it for choices.
 */
import { createCipheriv, createHash } from 'node:crypto';

export class Prng {
  readonly #cipher;
  #pool: Buffer = Buffer.alloc(0);
  #at = 0;

  constructor(seed: string) {
    const key = createHash('sha256').update(`skiff-bench:${seed}`).digest().subarray(0, 16);
    this.#cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  }

  /** The next `n` keystream bytes (a fresh buffer). */
  bytes(n: number): Buffer {
    return this.#cipher.update(Buffer.alloc(n));
  }

  /** Fills `buf` with keystream bytes. */
  fill(buf: Buffer): void {
    const chunk = 4 * 1024 * 1024;
    for (let at = 0; at < buf.length; at += chunk) {
      const n = Math.min(chunk, buf.length - at);
      this.#cipher.update(buf.subarray(at, at + n)).copy(buf, at);
    }
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    if (this.#at + 4 > this.#pool.length) {
      this.#pool = this.bytes(4096);
      this.#at = 0;
    }
    const v = this.#pool.readUInt32LE(this.#at);
    this.#at += 4;
    return v;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 2 ** 32) * n);
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.u32() / 2 ** 32;
  }
}

const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they ' +
  'you were her she there been one all we their has would when if so no will more can out up into do any your ' +
  'what some time could them about other than then its only two may these like over such our first most even ' +
  'backup restore snapshot repository chunk blob pack index tree node file directory volume cluster kubernetes ' +
  'container storage bucket object encryption compression deduplication schedule retention policy controller ' +
  'error warning info debug request response timeout retry connection server client version config secret'
).split(' ');

/** About `size` bytes of text lines from a fixed vocabulary (compresses roughly 3:1 with zstd). */
export function textCorpus(prng: Prng, size: number): Buffer {
  const parts: string[] = [];
  let n = 0;
  while (n < size) {
    const words: string[] = [];
    const count = 4 + prng.int(14);
    for (let i = 0; i < count; i++) words.push(WORDS[prng.int(WORDS.length)]!);
    const line = `${prng.int(100000)} ${words.join(' ')}\n`;
    parts.push(line);
    n += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}
