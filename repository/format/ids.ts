import { SkiffError } from '../errors/errors.ts';

const HEX64 = /^[0-9a-fA-F]{64}$/;
const LOWER_HEX64 = /^[0-9a-f]{64}$/;

/** True for a 64-digit hex ID in lowercase, the only form restic writes. */
export function isLowerHexId(s: string): boolean {
  return LOWER_HEX64.test(s);
}

/** Accepts a 64-digit hex ID in any case (Go's hex decoder does) and returns it in lowercase. */
export function parseHexId(v: unknown, what: string): string {
  if (typeof v !== 'string' || !HEX64.test(v)) {
    throw new SkiffError('Integrity', `${what} is not a 64-digit hex ID`);
  }
  return LOWER_HEX64.test(v) ? v : v.toLowerCase();
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON.parse for repository data: Integrity error naming `what` when malformed. */
export function parseJSON(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  } catch (cause) {
    throw new SkiffError('Integrity', `${what}: malformed JSON`, { cause });
  }
}
