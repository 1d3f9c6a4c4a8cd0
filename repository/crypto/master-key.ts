import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { SkiffError } from '../errors/errors.ts';

/**
 * A restic crypto key (§2.1): AES-256-CTR key plus the Poly1305-AES key pair. Used for the master key and
 * for password-derived user keys. `macR` is always stored clamped. Printing or JSON-serializing the object
 * shows `[redacted]`; use `masterKeyToJSON` for the on-disk form.
 */
export interface MasterKey {
  readonly encrypt: Buffer;
  readonly macK: Buffer;
  readonly macR: Buffer;
}

const R_MASK = Buffer.from('ffffff0ffcffff0ffcffff0ffcffff0f', 'hex');

export function clampR(r: Uint8Array): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = (r[i] ?? 0) & (R_MASK[i] ?? 0);
  return out;
}

function allZero(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

function redacted(): string {
  return '[redacted]';
}

/**
 * Builds a key from raw parts (copied; r clamped). Throws Integrity when a part has the wrong length or is
 * all zero, which restic refuses too.
 */
export function makeKey(encrypt: Uint8Array, macK: Uint8Array, macR: Uint8Array): MasterKey {
  if (encrypt.length !== 32 || macK.length !== 16 || macR.length !== 16) {
    throw new SkiffError('Integrity', 'invalid key: wrong key part length');
  }
  const key = { encrypt: Buffer.from(encrypt), macK: Buffer.from(macK), macR: clampR(macR) };
  if (allZero(key.encrypt) || allZero(key.macK) || allZero(key.macR)) {
    throw new SkiffError('Integrity', 'invalid key: all-zero key part');
  }
  Object.defineProperty(key, 'toJSON', { value: redacted });
  Object.defineProperty(key, 'toString', { value: redacted });
  Object.defineProperty(key, inspect.custom, { value: redacted });
  return Object.freeze(key);
}

/** A fresh random master key (CSPRNG), valid by §2.1. */
export function newMasterKey(): MasterKey {
  for (;;) {
    const raw = randomBytes(64);
    const enc = raw.subarray(0, 32);
    const k = raw.subarray(32, 48);
    const r = raw.subarray(48, 64);
    if (!allZero(enc) && !allZero(k) && !allZero(clampR(r))) return makeKey(enc, k, r);
  }
}

/** The exact restic serialization `{"mac":{"k":..,"r":..},"encrypt":..}` (standard base64, padded). */
export function masterKeyToJSON(key: MasterKey): string {
  const b64 = (b: Buffer): string => b.toString('base64');
  return `{"mac":{"k":"${b64(key.macK)}","r":"${b64(key.macR)}"},"encrypt":"${b64(key.encrypt)}"}`;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeB64(value: unknown, bytes: number, field: string): Buffer {
  if (typeof value !== 'string' || !BASE64.test(value)) {
    throw new SkiffError('Integrity', `invalid master key: ${field} is not base64`);
  }
  const out = Buffer.from(value, 'base64');
  if (out.length !== bytes) {
    throw new SkiffError('Integrity', `invalid master key: ${field} must be ${bytes} bytes`);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses the master key JSON (any field order); clamps r; Integrity error when malformed or invalid. */
export function masterKeyFromJSON(bytes: Uint8Array | string): MasterKey {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch {
    // No cause: a JSON.parse message quotes the input, which is secret here.
    throw new SkiffError('Integrity', 'invalid master key: malformed JSON');
  }
  if (!isObject(doc) || !isObject(doc['mac'])) {
    throw new SkiffError('Integrity', 'invalid master key: missing mac object');
  }
  const mac = doc['mac'];
  return makeKey(
    decodeB64(doc['encrypt'], 32, 'encrypt'),
    decodeB64(mac['k'], 16, 'mac.k'),
    decodeB64(mac['r'], 16, 'mac.r'),
  );
}
