import { poly1305Wasm } from './poly1305-wasm.ts';

/**
 * Poly1305 one-time MAC (RFC 8439) with a 32-byte key `r ‖ s`; `r` is clamped internally, so clamped or
 * raw `r` give the same tag. WebAssembly (poly1305-wasm.ts); the tests cross-check it against
 * `@noble/ciphers` and a BigInt reference.
 */
export function poly1305Mac(key32: Uint8Array, msg: Uint8Array): Uint8Array {
  return poly1305Wasm(key32, msg);
}
