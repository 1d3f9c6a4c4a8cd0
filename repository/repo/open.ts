/**
 * Creating and opening repositories. The password is used for scrypt and dropped; it never
 * appears in an error message.
 */
import { randomBytes } from 'node:crypto';
import { createKeyFile, masterKeyToJSON, newMasterKey, open, openKeyFile, parseKeyFile, seal } from '../crypto/index.ts';
import type { MasterKey } from '../crypto/index.ts';
import { decodeConfig, encodeConfig, generatePolynomial, polynomialToHex, type RepoConfig } from '../format/index.ts';
import { SkiffError, isCode } from '../errors/errors.ts';
import type { Storage } from '../storage/storage.ts';
import { Repository } from './repository.ts';
import type { RepoOptions } from './options.ts';
import { rfc3339Now } from './time.ts';

export interface KdfParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** scrypt parameters as restic calibrates them on these machines */
export const DEFAULT_KDF: KdfParams = { N: 32768, r: 8, p: 1 };

/** restic tries at most this many key files before giving up */
const MAX_KEYS_TRIED = 20;

export interface InitOptions extends RepoOptions {
  readonly version?: 1 | 2;
  readonly kdf?: KdfParams;
}

export async function initRepository(storage: Storage, password: string, opts: InitOptions = {}): Promise<Repository> {
  checkPassword(password);
  const exists = await storage.stat({ type: 'config', name: '' }).then(
    () => true,
    (err: unknown) => {
      if (isCode(err, 'NotFound')) return false;
      throw err;
    },
  );
  if (exists) throw new SkiffError('Conflict', `a repository already exists at ${storage.location}`);
  await storage.create();
  const master = newMasterKey();
  const keyId = await saveNewKey(storage, master, password, opts);
  const config: RepoConfig = {
    version: opts.version ?? 2,
    id: randomBytes(32).toString('hex'),
    chunkerPolynomial: polynomialToHex(generatePolynomial()),
  };
  await storage.save({ type: 'config', name: '' }, seal(master, encodeConfig(config)));
  return new Repository({ storage, config, key: master, keyId, options: opts });
}

export async function saveNewKey(
  storage: Storage,
  master: MasterKey,
  password: string,
  opts: RepoOptions & { kdf?: KdfParams },
): Promise<string> {
  checkPassword(password);
  const kdf = opts.kdf ?? DEFAULT_KDF;
  const { id, bytes } = await createKeyFile(master, password, {
    ...kdf,
    hostname: opts.hostname ?? '',
    username: opts.username ?? '',
    created: rfc3339Now(opts.now),
  });
  await storage.save({ type: 'key', name: id }, bytes);
  return id;
}

export async function openRepository(storage: Storage, password: string, opts: RepoOptions & { keyHint?: string } = {}): Promise<Repository> {
  let configBytes: Buffer;
  try {
    configBytes = await storage.load({ type: 'config', name: '' });
  } catch (err) {
    if (isCode(err, 'NotFound')) {
      throw new SkiffError('NotFound', `no repository at ${storage.location} (config file not found)`, { cause: err });
    }
    throw err;
  }
  const found = await findKey(storage, password, opts.keyHint, configBytes);
  let config: RepoConfig;
  try {
    config = decodeConfig(open(found.key, configBytes));
  } catch (err) {
    if (err instanceof SkiffError && err.code === 'Config') throw err;
    throw new SkiffError('Integrity', `config of ${storage.location} is damaged: ${(err as Error).message}`, { cause: err });
  }
  return new Repository({ storage, config, key: found.key, keyId: found.id, options: opts });
}

/**
 * Tries key files (the hinted one first) until one opens with the password. With `configBytes`,
 * a key must also open the config: key files left by a lost race to create the repository (same
 * password, another master key) are skipped instead of making the config look damaged.
 */
export async function findKey(storage: Storage, password: string, hint?: string, configBytes?: Buffer): Promise<{ id: string; key: MasterKey }> {
  const names: string[] = [];
  for await (const f of storage.list('key')) names.push(f.name);
  if (names.length === 0) throw new SkiffError('Integrity', `no key files found in ${storage.location}`);
  names.sort((a, b) => (a === hint ? -1 : b === hint ? 1 : 0));
  let opened: { id: string; key: MasterKey } | undefined;
  for (const id of names.slice(0, MAX_KEYS_TRIED)) {
    let bytes: Buffer;
    try {
      bytes = await storage.load({ type: 'key', name: id });
    } catch (err) {
      if (isCode(err, 'NotFound')) continue; // removed meanwhile
      throw err;
    }
    let kf;
    try {
      kf = parseKeyFile(bytes);
    } catch {
      continue; // a damaged key file must not stop other keys from opening the repository
    }
    const key = await openKeyFile(kf, password);
    if (!key) continue;
    if (!configBytes || opensConfig(key, configBytes)) return { id, key };
    opened ??= { id, key };
  }
  // a key that opens but fits no config: report the config as damaged (the caller's decode fails)
  if (opened) return opened;
  throw new SkiffError('Auth', `wrong password or no key found for ${storage.location}`);
}

function opensConfig(key: MasterKey, configBytes: Buffer): boolean {
  try {
    open(key, configBytes);
    return true;
  } catch {
    return false;
  }
}

function checkPassword(password: string): void {
  if (password.length === 0) throw new SkiffError('Config', 'an empty password is not allowed');
}

/** For `cat masterkey`; callers must treat the result as a secret. */
export function exportMasterKey(repo: Repository): string {
  return masterKeyToJSON(repo.key);
}

/**
 * Whether key file `keyId` opens with `password` and its master key opens the stored config.
 * False for a key of another master key (left by a lost race to create the repository).
 */
export async function keyOpensConfig(storage: Storage, password: string, keyId: string): Promise<boolean> {
  const [configBytes, keyBytes] = await Promise.all([storage.load({ type: 'config', name: '' }), storage.load({ type: 'key', name: keyId })]);
  let kf;
  try {
    kf = parseKeyFile(keyBytes);
  } catch {
    return false;
  }
  const key = await openKeyFile(kf, password);
  return key !== null && opensConfig(key, configBytes);
}
