import { createHash, type Hash } from 'node:crypto';

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Incremental SHA-256: `update()` any number of times, then `digest()` or `digest('hex')` once. */
export function newSha256(): Hash {
  return createHash('sha256');
}
