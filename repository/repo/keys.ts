/** Key management: several passwords open one repository; never remove the last key. */
import { parseKeyFile } from '../crypto/index.ts';
import { SkiffError } from '../errors/errors.ts';
import { saveNewKey, type KdfParams } from './open.ts';
import type { Repository } from './repository.ts';

export interface KeyInfo {
  readonly id: string;
  readonly current: boolean;
  readonly username: string;
  readonly hostname: string;
  readonly created: string;
}

export async function listKeys(repo: Repository): Promise<KeyInfo[]> {
  const out: KeyInfo[] = [];
  for await (const f of repo.storage.list('key')) {
    const kf = parseKeyFile(await repo.storage.load({ type: 'key', name: f.name }));
    out.push({
      id: f.name,
      current: f.name === repo.keyId,
      username: kf.username ?? '',
      hostname: kf.hostname ?? '',
      created: kf.created,
    });
  }
  return out.sort((a, b) => a.created.localeCompare(b.created));
}

export async function addKey(repo: Repository, password: string, opts: { kdf?: KdfParams } = {}): Promise<string> {
  return saveNewKey(repo.storage, repo.key, password, { ...repo.options, ...opts });
}

/** Removes a key; refuses the key in use and the last key. */
export async function removeKey(repo: Repository, id: string): Promise<void> {
  const full = await repo.resolveId('key', id);
  if (full === repo.keyId) {
    throw new SkiffError('Config', `key ${full.slice(0, 8)} is the one in use; open the repository with another key to remove it`);
  }
  const keys = await repo.listIds('key');
  if (keys.length <= 1) throw new SkiffError('Config', 'refusing to remove the last key');
  await repo.storage.remove({ type: 'key', name: full });
}

/** Adds a key for the new password, then removes the key in use (as `restic key passwd`). */
export async function changePassword(repo: Repository, newPassword: string, opts: { kdf?: KdfParams } = {}): Promise<string> {
  const id = await addKey(repo, newPassword, opts);
  await repo.storage.remove({ type: 'key', name: repo.keyId });
  return id;
}
