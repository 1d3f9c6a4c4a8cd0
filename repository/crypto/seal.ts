import { createCipheriv, createDecipheriv, createSecretKey, randomFillSync, timingSafeEqual, type Cipheriv, type KeyObject } from 'node:crypto';
import { SkiffError } from '../errors/errors.ts';
import type { MasterKey } from './master-key.ts';
import { poly1305Mac } from './poly1305.ts';

/** Bytes added by `seal`: 16 nonce + 16 tag. */
export const OVERHEAD = 32;
const NONCE = 16;
const TAG = 16;
/** bytes encrypted per cipher update when sealing */
const SLICE = 64 * 1024;

/**
 * Per-key cipher state worth keeping (a blob costs about 18 µs less): the AES-256 key as a
 * KeyObject (a raw key is re-imported by every createCipheriv) and one AES-128-ECB cipher for the
 * MAC's nonce encryption (ECB without padding maps each block independently, so it is reusable).
 */
interface KeyState {
  readonly aes: KeyObject;
  readonly ecb: Cipheriv;
}

const states = new WeakMap<MasterKey, KeyState>();

function stateOf(key: MasterKey): KeyState {
  let st = states.get(key);
  if (!st) {
    st = { aes: createSecretKey(key.encrypt), ecb: createCipheriv('aes-128-ecb', key.macK, null).setAutoPadding(false) };
    states.set(key, st);
  }
  return st;
}

/** Poly1305-AES tag of §2.2: one-time key = r ‖ AES-128(k, nonce), message = ciphertext only. */
function macOf(key: MasterKey, nonce: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const s = stateOf(key).ecb.update(nonce);
  if (s.length !== 16) throw new SkiffError('Permanent', 'AES-128 of the nonce must be one block');
  const oneTime = Buffer.allocUnsafe(32);
  key.macR.copy(oneTime, 0);
  s.copy(oneTime, 16);
  return poly1305Mac(oneTime, ciphertext);
}

function isZero(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

/**
 * Encrypts with an explicit nonce. For test vectors only: real writers call `seal`, which draws a fresh
 * random nonce. Not exported from index.ts.
 */
export function sealWithNonce(key: MasterKey, nonce: Uint8Array, plaintext: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(plaintext.length + OVERHEAD);
  sealIntoWithNonce(key, nonce, plaintext, out);
  return out;
}

function sealIntoWithNonce(key: MasterKey, nonce: Uint8Array, plaintext: Uint8Array, out: Uint8Array): void {
  if (nonce.length !== NONCE) throw new SkiffError('Permanent', 'nonce must be 16 bytes');
  if (out.length !== plaintext.length + OVERHEAD) throw new SkiffError('Permanent', 'seal output must be 32 bytes longer than the plaintext');
  out.set(nonce, 0);
  const ctr = createCipheriv('aes-256-ctr', stateOf(key).aes, nonce);
  // In slices, each returned as a latin1 string (bytes 0-255 map one to one) and written into
  // `out`: the cipher's native output buffer is then freed at once, and the strings are young
  // garbage a scavenge clears, where Buffers would hold external memory until a full GC.
  const view = Buffer.from(out.buffer, out.byteOffset, out.length);
  for (let at = 0; at < plaintext.length; at += SLICE) {
    view.write(ctr.update(plaintext.subarray(at, at + SLICE), undefined, 'latin1'), NONCE + at, 'latin1');
  }
  ctr.final();
  const ct = out.subarray(NONCE, NONCE + plaintext.length);
  out.set(macOf(key, nonce, ct), NONCE + plaintext.length);
}

/** CSPRNG bytes drawn 4 KiB at a time (one call per 256 nonces); every byte is handed out once. */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function freshNonce(): Buffer {
  for (;;) {
    if (poolAt + NONCE > pool.length) {
      randomFillSync(pool);
      poolAt = 0;
    }
    const nonce = Buffer.from(pool.subarray(poolAt, poolAt + NONCE));
    poolAt += NONCE;
    if (!isZero(nonce)) return nonce;
  }
}

/** nonce(16) ‖ AES-256-CTR(plaintext) ‖ Poly1305-AES tag(16), with a fresh random non-zero nonce. */
export function seal(key: MasterKey, plaintext: Uint8Array): Buffer {
  return sealWithNonce(key, freshNonce(), plaintext);
}

/** `seal` writing into `out`, which must be exactly `plaintext.length + OVERHEAD` bytes (worker threads fill one buffer). */
export function sealInto(key: MasterKey, plaintext: Uint8Array, out: Uint8Array): void {
  sealIntoWithNonce(key, freshNonce(), plaintext, out);
}

/**
 * Verifies the tag in constant time, then decrypts. Works on a subarray without copying it; the only
 * allocation is the plaintext. Throws SkiffError('Integrity') for input shorter than 32 bytes, an all-zero
 * nonce (restic refuses it) or a tag mismatch (also the result of a wrong key).
 */
export function open(key: MasterKey, sealed: Uint8Array): Buffer {
  const { nonce, ct } = verified(key, sealed);
  const ctr = createDecipheriv('aes-256-ctr', stateOf(key).aes, nonce);
  const plain = ctr.update(ct);
  ctr.final();
  return plain;
}

/**
 * `open` decrypting into `out` (at least `sealed.length - OVERHEAD` bytes, and not overlapping
 * `sealed`); returns the plaintext as a view of `out`. Allocates nothing that outlives the call,
 * which keeps a worker decrypting gigabytes from piling up garbage.
 */
export function openInto(key: MasterKey, sealed: Uint8Array, out: Uint8Array): Uint8Array {
  const { nonce, ct } = verified(key, sealed);
  if (out.length < ct.length) throw new SkiffError('Permanent', 'open output buffer is too small');
  const ctr = createDecipheriv('aes-256-ctr', stateOf(key).aes, nonce);
  const view = Buffer.from(out.buffer, out.byteOffset, out.length);
  for (let at = 0; at < ct.length; at += SLICE) {
    view.write(ctr.update(ct.subarray(at, at + SLICE), undefined, 'latin1'), at, 'latin1');
  }
  ctr.final();
  return out.subarray(0, ct.length);
}

/** Splits a sealed message and checks nonce and tag (constant time); Integrity error otherwise. */
function verified(key: MasterKey, sealed: Uint8Array): { nonce: Uint8Array; ct: Uint8Array } {
  if (sealed.length < OVERHEAD) {
    throw new SkiffError('Integrity', 'ciphertext verification failed');
  }
  const nonce = sealed.subarray(0, NONCE);
  const ct = sealed.subarray(NONCE, sealed.length - TAG);
  const tag = sealed.subarray(sealed.length - TAG);
  if (isZero(nonce)) throw new SkiffError('Integrity', 'ciphertext verification failed: invalid nonce');
  if (!timingSafeEqual(macOf(key, nonce, ct), tag)) {
    throw new SkiffError('Integrity', 'ciphertext verification failed');
  }
  return { nonce, ct };
}
