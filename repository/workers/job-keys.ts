/** Keys as worker jobs carry them: 64 bytes `encrypt ‖ macK ‖ macR`, turned back into a MasterKey once. */
import { makeKey, type MasterKey } from '../crypto/index.ts';

const keys = new Map<string, MasterKey>();

/** The key for 64 raw bytes, cached (a worker sees the same few keys over and over). */
export function keyOf(raw: Uint8Array): MasterKey {
  const hex = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
  let k = keys.get(hex);
  if (!k) {
    if (keys.size >= 16) keys.clear();
    k = makeKey(raw.subarray(0, 32), raw.subarray(32, 48), raw.subarray(48, 64));
    keys.set(hex, k);
  }
  return k;
}

/** 64 bytes `encrypt ‖ macK ‖ macR`: the form a key travels in. */
export function rawKey(key: MasterKey): Uint8Array {
  const out = new Uint8Array(64);
  out.set(key.encrypt, 0);
  out.set(key.macK, 32);
  out.set(key.macR, 48);
  return out;
}

