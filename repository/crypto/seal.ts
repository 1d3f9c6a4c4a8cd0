import { createCipheriv, createDecipheriv, randomFillSync, timingSafeEqual } from 'node:crypto';
import { SkiffError } from '../errors/errors.ts';
import type { MasterKey } from './master-key.ts';
import { poly1305Mac } from './poly1305.ts';

/** Bytes added by `seal`: 16 nonce + 16 tag. */
export const OVERHEAD = 32;
const NONCE = 16;
const TAG = 16;

/** Poly1305-AES tag of §2.2: one-time key = r ‖ AES-128(k, nonce), message = ciphertext only. */
function macOf(key: MasterKey, nonce: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const ecb = createCipheriv('aes-128-ecb', key.macK, null).setAutoPadding(false);
  const s = ecb.update(nonce);
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
  if (nonce.length !== NONCE) throw new SkiffError('Permanent', 'nonce must be 16 bytes');
  const out = Buffer.allocUnsafe(plaintext.length + OVERHEAD);
  out.set(nonce, 0);
  const ctr = createCipheriv('aes-256-ctr', key.encrypt, nonce);
  const ct = ctr.update(plaintext);
  ct.copy(out, NONCE);
  ctr.final();
  out.set(macOf(key, nonce, ct), NONCE + plaintext.length);
  return out;
}

/** nonce(16) ‖ AES-256-CTR(plaintext) ‖ Poly1305-AES tag(16), with a fresh random non-zero nonce. */
export function seal(key: MasterKey, plaintext: Uint8Array): Buffer {
  const nonce = Buffer.allocUnsafe(NONCE);
  do randomFillSync(nonce);
  while (isZero(nonce));
  return sealWithNonce(key, nonce, plaintext);
}

/**
 * Verifies the tag in constant time, then decrypts. Works on a subarray without copying it; the only
 * allocation is the plaintext. Throws SkiffError('Integrity') for input shorter than 32 bytes, an all-zero
 * nonce (restic refuses it) or a tag mismatch (also the result of a wrong key).
 */
export function open(key: MasterKey, sealed: Uint8Array): Buffer {
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
  const ctr = createDecipheriv('aes-256-ctr', key.encrypt, nonce);
  const plain = ctr.update(ct);
  ctr.final();
  return plain;
}
