import { SkiffError } from '../errors/errors.ts';
import { isRecord, parseJSON } from './ids.ts';
import { isIrreducible, polynomialFromHex, polynomialToHex } from './polynomial.ts';
import type { RepoVersion } from './unpacked.ts';

/** The decrypted `config` object (§3). `chunkerPolynomial` is lowercase hex without prefix. */
export interface RepoConfig {
  version: RepoVersion;
  id: string;
  chunkerPolynomial: string;
}

/**
 * Raw JSON exactly as restic writes it: `{"version":2,"id":"..","chunker_polynomial":".."}`, no newline.
 * Config is always raw JSON, even in v2. Throws Permanent for an invalid config (a caller bug).
 */
export function encodeConfig(c: RepoConfig): Buffer {
  if (c.version !== 1 && c.version !== 2) {
    throw new SkiffError('Permanent', `unsupported repository version ${String(c.version)}`);
  }
  if (!/^[0-9a-f]+$/.test(c.id)) throw new SkiffError('Permanent', 'repository id must be lowercase hex');
  const pol = polynomialFromHex(c.chunkerPolynomial);
  if (!isIrreducible(pol)) throw new SkiffError('Permanent', 'invalid chunker polynomial');
  const json = `{"version":${c.version},"id":"${c.id}","chunker_polynomial":"${polynomialToHex(pol)}"}`;
  return Buffer.from(json, 'utf8');
}

/**
 * Parses the opened `config` plaintext. Config error "unsupported repository version N" for a version
 * other than 1 or 2; Integrity for malformed JSON or fields, or a reducible polynomial
 * ("invalid chunker polynomial"), which restic 0.14 refuses too.
 */
export function decodeConfig(plain: Buffer): RepoConfig {
  const doc = parseJSON(plain, 'invalid config');
  if (!isRecord(doc)) throw new SkiffError('Integrity', 'invalid config: not a JSON object');
  const version = doc['version'] ?? 0;
  if (typeof version !== 'number') throw new SkiffError('Integrity', 'invalid config: version is not a number');
  if (version !== 1 && version !== 2) {
    throw new SkiffError('Config', `unsupported repository version ${version}`);
  }
  const id = doc['id'];
  if (typeof id !== 'string' || id === '') throw new SkiffError('Integrity', 'invalid config: missing id');
  const hex = doc['chunker_polynomial'];
  if (typeof hex !== 'string') {
    throw new SkiffError('Integrity', 'invalid config: missing chunker_polynomial');
  }
  const pol = polynomialFromHex(hex);
  if (!isIrreducible(pol)) throw new SkiffError('Integrity', 'invalid chunker polynomial');
  return { version, id, chunkerPolynomial: polynomialToHex(pol) };
}
