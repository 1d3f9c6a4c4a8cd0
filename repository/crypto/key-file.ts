import { randomBytes, scrypt } from 'node:crypto';
import { SkiffError, isCode } from '../errors/errors.ts';
import { sha256Hex } from './hash.ts';
import { makeKey, masterKeyFromJSON, masterKeyToJSON, type MasterKey } from './master-key.ts';
import { open, seal } from './seal.ts';

/** A parsed `keys/<id>` file (§2.6). `data` is the sealed master-key JSON. */
export interface KeyFile {
  created: string;
  username?: string;
  hostname?: string;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  data: Buffer;
}

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export interface CreateKeyFileOptions {
  N?: number;
  r?: number;
  p?: number;
  hostname: string;
  username: string;
  /** RFC 3339 time with nanoseconds, e.g. `2026-11-22T05:21:53.071188585Z`; written verbatim. */
  created: string;
}

const SALT_BYTES = 64;
/** Refuse key files whose scrypt would need more memory than this (restic calibrates to ≤ 60 MiB). */
const MAX_SCRYPT_MEMORY = 1024 * 1024 * 1024;

function scryptMemory(params: ScryptParams): number {
  return 128 * params.N * params.r + 128 * params.r * params.p;
}

/** simple-scrypt `Check()` plus Go's power-of-two N, and our memory cap. Throws Config. */
export function checkScryptParams(params: ScryptParams): void {
  const { N, r, p } = params;
  const ints = Number.isSafeInteger(N) && Number.isSafeInteger(r) && Number.isSafeInteger(p);
  const pow2 = ints && N > 1 && (N & (N - 1)) === 0 && N <= 2 ** 30;
  if (!pow2 || r < 1 || p < 1 || r * p >= 2 ** 30 || scryptMemory(params) > MAX_SCRYPT_MEMORY) {
    throw new SkiffError('Config', `unsupported scrypt parameters N=${N} r=${r} p=${p}`);
  }
}

/** Raw 64-byte scrypt output for `password` (UTF-8). Throws Config for unusable parameters. */
export async function scryptRaw(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  checkScryptParams(params);
  const maxmem = 2 * scryptMemory(params) + 16 * 1024 * 1024;
  return await new Promise<Buffer>((resolve, reject) => {
    scrypt(Buffer.from(password, 'utf8'), salt, 64, { ...params, maxmem }, (err, key) => {
      if (err) reject(new SkiffError('Config', 'scrypt failed', { cause: err }));
      else resolve(key);
    });
  });
}

/** Password → user key (§2.4): scrypt output split 32/16/16, r clamped. */
async function deriveUserKey(password: string, salt: Buffer, params: ScryptParams): Promise<MasterKey> {
  const out = await scryptRaw(password, salt, params);
  return makeKey(out.subarray(0, 32), out.subarray(32, 48), out.subarray(48, 64));
}

/** Go's JSON string encoding for the characters where it differs from JSON.stringify on valid text. */
function goJSONString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Wraps `master` under `password` in a new key file: restic's field order, no trailing newline.
 * `id` is the SHA-256 hex of `bytes`, the file's name under `keys/`.
 */
export async function createKeyFile(
  master: MasterKey,
  password: string,
  opts: CreateKeyFileOptions,
): Promise<{ id: string; bytes: Buffer }> {
  const params = { N: opts.N ?? 32768, r: opts.r ?? 8, p: opts.p ?? 1 };
  const salt = randomBytes(SALT_BYTES);
  const user = await deriveUserKey(password, salt, params);
  const data = seal(user, Buffer.from(masterKeyToJSON(master), 'utf8'));
  const json =
    `{"created":${goJSONString(opts.created)},"username":${goJSONString(opts.username)},` +
    `"hostname":${goJSONString(opts.hostname)},"kdf":"scrypt","N":${params.N},"r":${params.r},` +
    `"p":${params.p},"salt":"${salt.toString('base64')}","data":"${data.toString('base64')}"}`;
  const bytes = Buffer.from(json, 'utf8');
  return { id: sha256Hex(bytes), bytes };
}

function field<T>(doc: Record<string, unknown>, name: string, check: (v: unknown) => v is T): T {
  const v = doc[name];
  if (!check(v)) throw new SkiffError('Integrity', `invalid key file: bad or missing "${name}"`);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const isBase64 = (v: unknown): v is string => typeof v === 'string' && BASE64.test(v);

/**
 * Parses a key file. Integrity for malformed JSON or fields; Config for a kdf other than scrypt,
 * unusable scrypt parameters or a salt that is not 64 bytes (restic refuses those too).
 */
export function parseKeyFile(bytes: Uint8Array): KeyFile {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new SkiffError('Integrity', 'invalid key file: malformed JSON', { cause });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new SkiffError('Integrity', 'invalid key file: not a JSON object');
  }
  const d = doc as Record<string, unknown>;
  const kdf = field(d, 'kdf', isString);
  if (kdf !== 'scrypt') throw new SkiffError('Config', `unsupported key derivation function "${kdf}"`);
  const params = { N: field(d, 'N', isNumber), r: field(d, 'r', isNumber), p: field(d, 'p', isNumber) };
  checkScryptParams(params);
  const salt = Buffer.from(field(d, 'salt', isBase64), 'base64');
  if (salt.length !== SALT_BYTES) throw new SkiffError('Config', 'invalid key file: salt must be 64 bytes');
  const kf: KeyFile = {
    created: field(d, 'created', isString),
    kdf: 'scrypt',
    ...params,
    salt,
    data: Buffer.from(field(d, 'data', isBase64), 'base64'),
  };
  if (typeof d['username'] === 'string') kf.username = d['username'];
  if (typeof d['hostname'] === 'string') kf.hostname = d['hostname'];
  return kf;
}

/**
 * Unwraps the master key with `password`. Returns null when the MAC fails, i.e. the password does not
 * open this key file (try the next one). Throws Integrity when the MAC passes but the content is invalid.
 */
export async function openKeyFile(kf: KeyFile, password: string): Promise<MasterKey | null> {
  const user = await deriveUserKey(password, kf.salt, { N: kf.N, r: kf.r, p: kf.p });
  let plain: Buffer;
  try {
    plain = open(user, kf.data);
  } catch (err) {
    if (isCode(err, 'Integrity')) return null;
    throw err;
  }
  return masterKeyFromJSON(plain);
}
