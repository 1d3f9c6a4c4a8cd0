import { poly1305 } from '@noble/ciphers/_poly1305.js';

/**
 * Poly1305 one-time MAC (RFC 8439) with a 32-byte key `r ‖ s`; `r` is clamped internally, so clamped or
 * raw `r` give the same tag. Kept behind this one function so a faster implementation can replace it.
 */
export function poly1305Mac(key32: Uint8Array, msg: Uint8Array): Uint8Array {
  return poly1305(msg, key32);
}
