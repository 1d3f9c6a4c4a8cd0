/**
 * Opening a namespace's repository, creating it on first use. Two agents (or an agent and the
 * server) may both find it missing and both initialize: each writes a key file and then the
 * config, and only one config can win. The loser must not go on with its own master key (its
 * data would be unreadable), nor leave its key file behind (restic, trying that key first, would
 * call the config damaged). So: after an init, wait a moment and read the config back with our
 * key; on a Conflict or a lost race, delete the new key files that do not open the stored config,
 * then open with the password like everyone else.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  initRepository,
  isCode,
  keyOpensConfig,
  openRepository,
  type InitOptions,
  type Repository,
  type RepoOptions,
  type Storage,
} from '../repository/index.ts';

export interface OpenOrInitOptions extends InitOptions {
  /** pause between our config write and reading it back; default 1000 ms */
  readonly settleMs?: number;
}

export interface Opened {
  readonly repo: Repository;
  /** true when this call created the repository */
  readonly created: boolean;
}

export async function openOrInit(storage: Storage, password: string, opts: OpenOrInitOptions = {}): Promise<Opened> {
  const { settleMs, ...initOpts } = opts;
  try {
    return { repo: await openRepository(storage, password, initOpts), created: false };
  } catch (err) {
    if (!isCode(err, 'NotFound')) throw err;
  }
  const before = new Set(await keyIds(storage));
  try {
    const repo = await initRepository(storage, password, initOpts);
    await sleep(settleMs ?? 1000);
    const again = await openRepository(storage, password, { ...initOpts, keyHint: repo.keyId }).catch((err: unknown) => {
      if (isCode(err, 'Integrity')) return undefined;
      throw err;
    });
    if (again?.config.id === repo.config.id) return { repo, created: true };
  } catch (err) {
    if (!isCode(err, 'Conflict')) throw err;
  }
  await removeOrphanKeys(storage, password, before, initOpts);
  return { repo: await openRepository(storage, password, initOpts), created: false };
}

async function keyIds(storage: Storage): Promise<string[]> {
  const ids: string[] = [];
  for await (const f of storage.list('key')) ids.push(f.name);
  return ids;
}

/**
 * Removes key files added since `before` that open with `password` but not the stored config.
 * All initializers share one password (the Secret's), so a new key that opens with it and fails
 * on the config wraps a master key that lost the race.
 */
async function removeOrphanKeys(storage: Storage, password: string, before: ReadonlySet<string>, opts: RepoOptions): Promise<void> {
  for (const id of await keyIds(storage)) {
    if (before.has(id)) continue;
    const orphan = !(await keyOpensConfig(storage, password, id).catch(() => true));
    if (orphan) await storage.remove({ type: 'key', name: id }).catch(() => undefined);
  }
}
