import { createHmac } from 'node:crypto';
import { SkiffError } from '../errors/errors.ts';

/** Domain-separation label; changing it changes every chunk boundary of every repository. */
const LABEL = 'skiff fastcdc gear v1';
const MIN_SECRET_BYTES = 16;

/**
 * The 256-entry gear table for a repository, derived from a secret so that chunk boundaries
 * (and thus chunk sizes visible in storage) reveal nothing about content to anyone without it.
 *
 * Derivation (part of Skiff's on-disk determinism; see README.md): for counter c = 0..31,
 * block_c = HMAC-SHA256(key = secret, message = ASCII(LABEL) || uint32_be(c)); the 1024 bytes
 * block_0 || ... || block_31 are read as 256 little-endian uint32 values, gear[i] = bytes[4i..4i+4).
 *
 * Throws SkiffError `Config` if the secret is shorter than 16 bytes. Never logs the secret.
 */
export function gearTableFromKey(secret: Uint8Array): Uint32Array {
  if (!(secret instanceof Uint8Array) || secret.length < MIN_SECRET_BYTES) {
    throw new SkiffError('Config', `chunker secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  const bytes = new Uint8Array(1024);
  const counter = new Uint8Array(4);
  const counterView = new DataView(counter.buffer);
  for (let c = 0; c < 32; c++) {
    counterView.setUint32(0, c, false);
    const block = createHmac('sha256', secret).update(LABEL, 'ascii').update(counter).digest();
    bytes.set(block, c * 32);
  }
  const view = new DataView(bytes.buffer);
  const gear = new Uint32Array(256);
  for (let i = 0; i < 256; i++) gear[i] = view.getUint32(i * 4, true);
  return gear;
}
