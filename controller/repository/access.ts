/**
 * Opening the file-system-backup repository of a namespace in a backup storage location, from
 * the cluster's objects: the BSL (bucket, prefix, endpoint), its credentials Secret, and the
 * repository password Secret in the server namespace. Nothing secret is logged or put in a
 * message. Every opened repository must be closed by the caller (`withRepository` does it).
 */
import { type BackupStorageLocation, PLURALS } from '../../crds/index.ts';
import { SkiffError, openRepository, type InitOptions, type Repository, type Storage } from '../../repository/index.ts';
import { S3Storage } from '../../repository/storage/index.ts';
// the agents' race-safe init (a lost init race leaves no orphan key file): one implementation for both sides
import { openOrInit } from '../../node-agent/repo-init.ts';
import { bslConnection, type BslConnection, type SecretReader } from '../objectstore/index.ts';
import type { Redacted } from '../runtime/redact.ts';
import type { SkiffClient } from '../runtime/types.ts';
import { REPO_PASSWORD_KEY, REPO_PASSWORD_SECRET, repositoryPrefix, repositoryUrl } from './names.ts';

export interface RepositoryAccessOptions {
  /** BackupStorageLocations in the server namespace */
  readonly client: SkiffClient;
  readonly readSecret: SecretReader;
  /** the storage of a repository at `prefix` in a location's bucket; default S3Storage */
  readonly storage?: (where: BslConnection, prefix: string) => Storage;
  /** engine options for open and init (tests: a cheap KDF, no worker threads) */
  readonly repoOptions?: InitOptions;
  /** pause after initializing before reading the config back (init race check); default 1000 ms */
  readonly settleMs?: number;
}

export interface OpenedRepository {
  readonly repo: Repository;
  /** this call initialized it */
  readonly created: boolean;
}

function s3Storage(where: BslConnection, prefix: string): Storage {
  return new S3Storage({ ...where.connection, bucket: where.bucket, prefix });
}

export class RepositoryAccess {
  private readonly o: RepositoryAccessOptions;

  constructor(opts: RepositoryAccessOptions) {
    this.o = opts;
  }

  get namespace(): string {
    return this.o.client.namespace;
  }

  async location(bslName: string): Promise<{ bsl: BackupStorageLocation; where: BslConnection }> {
    const ns = this.namespace;
    const bsl = await this.o.client.get<BackupStorageLocation>(PLURALS.BackupStorageLocation, bslName);
    if (bsl === undefined) throw new SkiffError('NotFound', `backup storage location "${bslName}" not found in namespace ${ns}`);
    let credentials: Redacted<Buffer> | undefined;
    const cred = bsl.spec.credential;
    if (cred?.name !== undefined && cred.name !== '') {
      const secret = await this.o.readSecret(ns, cred.name);
      if (secret === undefined) throw new SkiffError('Config', `credential secret ${ns}/${cred.name} of backup storage location "${bslName}" not found`);
      credentials = secret.value(cred.key);
      if (credentials === undefined) throw new SkiffError('Config', `credential secret ${ns}/${cred.name} has no key ${cred.key}`);
    }
    return { bsl, where: bslConnection(bsl, credentials) };
  }

  /** The repository URL of `namespace` in location `bslName` (spec.resticIdentifier). */
  async url(bslName: string, namespace: string): Promise<string> {
    return repositoryUrl((await this.location(bslName)).where, namespace);
  }

  private async password(): Promise<string> {
    const ns = this.namespace;
    const secret = await this.o.readSecret(ns, REPO_PASSWORD_SECRET);
    if (secret === undefined) throw new SkiffError('Config', `repository password secret ${ns}/${REPO_PASSWORD_SECRET} not found`);
    const value = secret.value(REPO_PASSWORD_KEY)?.reveal().toString('utf8');
    if (value === undefined || value === '') throw new SkiffError('Config', `repository password secret ${ns}/${REPO_PASSWORD_SECRET} has no key ${REPO_PASSWORD_KEY}`);
    return value;
  }

  /**
   * Opens the repository of `namespace`; with `create`, initializes it when absent (another
   * process initializing it at the same time is fine: the loser opens the winner's repository).
   * Errors: NotFound (no repository, without `create`), Auth (wrong password), Config, Transient.
   */
  async open(bslName: string, namespace: string, opts: { create: boolean }): Promise<OpenedRepository> {
    const { where } = await this.location(bslName);
    const password = await this.password();
    const storage = (this.o.storage ?? s3Storage)(where, repositoryPrefix(where.prefix, namespace));
    const options = this.o.repoOptions ?? {};
    try {
      if (opts.create) return await openOrInit(storage, password, { ...options, ...(this.o.settleMs === undefined ? {} : { settleMs: this.o.settleMs }) });
      return { repo: await openRepository(storage, password, options), created: false };
    } catch (err) {
      await storage.close().catch(() => undefined);
      throw err;
    }
  }

  /** Opens the repository, runs `fn`, and closes it whatever happens. */
  async withRepository<T>(bslName: string, namespace: string, opts: { create: boolean }, fn: (r: OpenedRepository) => Promise<T>): Promise<T> {
    const opened = await this.open(bslName, namespace, opts);
    try {
      return await fn(opened);
    } finally {
      await opened.repo.storage.close().catch(() => undefined);
    }
  }
}
