/**
 * The repositories of the node agent: `<bsl prefix>/fsb/<namespace>` in a BackupStorageLocation's
 * bucket, password from Secret `skiff-repo-credentials` (key `repository-password`) in the server
 * namespace, created on first use (repo-init.ts). What it costs to open one (the BSL, S3 client,
 * scrypt) is cached per (BSL, namespace) while the BSL and both Secrets keep their
 * resourceVersions. Every job gets its own Repository object (own index and pack writers, so a
 * cancelled job cannot leave half-saved blobs that another job counts on) and holds a
 * non-exclusive lock while it runs.
 *
 * Locks carry the hostname `skiff-node-agent-<node>`. The first time this process opens a
 * repository it removes locks with that hostname: they were left by an earlier run of this node's
 * agent (killed, or restarted as PID 1 of a new container, so restic's dead-PID test cannot tell).
 */
import {
  acquireLock,
  isCode,
  listLocks,
  Repository,
  SkiffError,
  type HeldLock,
  type RepoOptions,
  type Storage,
} from '../repository/index.ts';
import { S3Storage } from '../repository/storage/index.ts';
import { PLURALS, type BackupStorageLocation } from '../crds/index.ts';
import { bslConnection, type BslConnection, type CredentialSecret } from '../controller/objectstore/index.ts';
import type { Logger, Redacted, SkiffClient } from '../controller/runtime/index.ts';
import { openOrInit, type OpenOrInitOptions } from './repo-init.ts';

const LOCK_WAIT_MS = 30 * 60_000;

export const REPO_SECRET = 'skiff-repo-credentials';
export const REPO_PASSWORD_KEY = 'repository-password';

export interface RepositoryProviderOptions {
  readonly client: SkiffClient;
  readonly readSecret: (namespace: string, name: string) => Promise<CredentialSecret | undefined>;
  /** hostname in lock and key files: `skiff-node-agent-<node>` */
  readonly hostname: string;
  readonly log: Logger;
  /** engine options of every job's Repository (workers, pack size, compression) */
  readonly repoOptions?: RepoOptions;
  /** init options (kdf, settleMs), for tests */
  readonly init?: OpenOrInitOptions;
  /** default: S3Storage under `<prefix>` of the BSL's bucket */
  readonly storageFor?: (conn: BslConnection, prefix: string) => Storage;
  /** pause after writing a lock before checking for conflicts; default the engine's (200 ms) */
  readonly lockSettleMs?: number;
  /** how long work waits for an exclusive lock (a prune) to go away; default 30 min */
  readonly lockWaitMs?: number;
}

interface Opened {
  readonly storage: Storage;
  readonly base: Repository;
}

interface Entry {
  readonly version: string;
  readonly opening: Promise<Opened>;
}

export class RepositoryProvider {
  private readonly o: RepositoryProviderOptions;
  private readonly cache = new Map<string, Entry>();
  private readonly retired: Promise<Opened>[] = [];
  private readonly cleaned = new Set<string>();

  constructor(opts: RepositoryProviderOptions) {
    this.o = opts;
  }

  /** Runs `fn` with a fresh Repository object of `fsb/<namespace>` in `bslName`, under a non-exclusive lock. */
  async withRepository<T>(bslName: string, namespace: string, fn: (repo: Repository) => Promise<T>): Promise<T> {
    const { storage, base } = await this.opened(bslName, namespace);
    const repo = new Repository({ storage, config: base.config, key: base.key, keyId: base.keyId, options: this.repoOptions() });
    // a prune holding the exclusive lock delays the work instead of failing it
    const lock: HeldLock = await acquireLock(repo, {
      exclusive: false,
      waitMs: this.o.lockWaitMs ?? LOCK_WAIT_MS,
      ...(this.o.lockSettleMs === undefined ? {} : { settleMs: this.o.lockSettleMs }),
    });
    try {
      return await fn(repo);
    } finally {
      await lock.release().catch((err: unknown) => this.o.log.warn({ err: (err as Error).message, lock: lock.id }, 'cannot release the repository lock'));
    }
  }

  async close(): Promise<void> {
    const all = [...[...this.cache.values()].map((e) => e.opening), ...this.retired];
    this.cache.clear();
    await Promise.all(all.map((p) => p.then((o) => o.storage.close(), () => undefined)));
  }

  private repoOptions(): RepoOptions {
    return { ...this.o.repoOptions, hostname: this.o.hostname };
  }

  private async opened(bslName: string, namespace: string): Promise<Opened> {
    const serverNs = this.o.client.namespace;
    const bsl = await this.o.client.get<BackupStorageLocation>(PLURALS.BackupStorageLocation, bslName);
    if (bsl === undefined) throw new SkiffError('NotFound', `backup storage location ${bslName} not found in namespace ${serverNs}`);
    let credentials: Redacted<Buffer> | undefined;
    let credVersion = '';
    const cred = bsl.spec.credential;
    if (cred?.name !== undefined && cred.name !== '') {
      const s = await this.o.readSecret(serverNs, cred.name);
      if (s === undefined) throw new SkiffError('Config', `credential secret ${serverNs}/${cred.name} of backup storage location ${bslName} not found`);
      credentials = s.value(cred.key);
      if (credentials === undefined) throw new SkiffError('Config', `credential secret ${serverNs}/${cred.name} has no key ${cred.key}`);
      credVersion = s.resourceVersion;
    }
    const pwSecret = await this.o.readSecret(serverNs, REPO_SECRET);
    if (pwSecret === undefined) throw new SkiffError('Config', `Secret ${serverNs}/${REPO_SECRET} (the repository password) not found`);
    const password = pwSecret.value(REPO_PASSWORD_KEY);
    if (password === undefined || password.reveal().length === 0) throw new SkiffError('Config', `Secret ${serverNs}/${REPO_SECRET} has no (or an empty) key ${REPO_PASSWORD_KEY}`);

    const key = `${bslName}\n${namespace}`;
    const version = `${bsl.metadata.resourceVersion ?? ''}/${credVersion}/${pwSecret.resourceVersion}`;
    let entry = this.cache.get(key);
    if (entry?.version !== version) {
      if (entry !== undefined) this.retired.push(entry.opening);
      const conn = bslConnection(bsl, credentials);
      entry = { version, opening: this.open(key, conn, namespace, password.reveal().toString('utf8')) };
      this.cache.set(key, entry);
    }
    try {
      return await entry.opening;
    } catch (err) {
      if (this.cache.get(key) === entry) this.cache.delete(key);
      throw err;
    }
  }

  private async open(key: string, conn: BslConnection, namespace: string, password: string): Promise<Opened> {
    const prefix = [conn.prefix, 'fsb', namespace].filter((p) => p !== '').join('/');
    const storage = this.o.storageFor?.(conn, prefix) ?? new S3Storage({ ...conn.connection, bucket: conn.bucket, prefix });
    try {
      const { repo, created } = await openOrInit(storage, password, { ...this.o.init, ...this.repoOptions() });
      if (created) this.o.log.info({ repository: storage.location }, 'created the repository');
      if (!this.cleaned.has(key)) {
        await this.removeOwnLocks(repo);
        this.cleaned.add(key);
      }
      return { storage, base: repo };
    } catch (err) {
      await storage.close().catch(() => undefined);
      if (isCode(err, 'Auth')) {
        const serverNs = this.o.client.namespace;
        throw new SkiffError('Auth', `wrong repository password for fsb/${namespace} in ${storage.location}: the password in Secret ${serverNs}/${REPO_SECRET} does not open it`, { cause: err });
      }
      throw err;
    }
  }

  /** Locks of an earlier run of this node's agent (same hostname): nothing of ours is running yet. */
  private async removeOwnLocks(repo: Repository): Promise<void> {
    for (const l of await listLocks(repo)) {
      if (l.info.hostname !== this.o.hostname) continue;
      await repo.storage.remove({ type: 'lock', name: l.id }).catch(() => undefined);
      this.o.log.info({ repository: repo.storage.location, lock: l.id.slice(0, 8), pid: l.info.pid, since: l.info.time }, 'removed a lock left by an earlier run of this node agent');
    }
  }
}
