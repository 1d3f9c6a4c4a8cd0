import type { Readable } from 'node:stream';
import { PLURALS, type BackupStorageLocation } from '../../crds/index.ts';
import { SkiffError } from '../../repository/errors/errors.ts';
import type { Redacted } from '../runtime/redact.ts';
import type { ObjectStore, SkiffClient } from '../runtime/types.ts';
import { objectStoreForBsl } from './for-bsl.ts';

/** The part of a Secret the cache needs (controller/kube's SecretData fits). */
export interface CredentialSecret {
  readonly resourceVersion: string;
  value(key: string): Redacted<Buffer> | undefined;
}

export type SecretReader = (namespace: string, name: string) => Promise<CredentialSecret | undefined>;

export interface ObjectStoreCacheOptions {
  client: SkiffClient;
  readSecret: SecretReader;
  /** how to build a store; default objectStoreForBsl */
  build?: (bsl: BackupStorageLocation, credentialsFile: Redacted<Buffer> | undefined) => ObjectStore;
  /** a replaced store is closed this long after replacement (work may still use it); default 10 min */
  retireAfterMs?: number;
}

interface Entry {
  version: string;
  store: ObjectStore;
}

/**
 * `ReconcileContext.objectStore(name)`: reads the BSL and its credential Secret on every call and
 * reuses the store while both resourceVersions are unchanged; a changed BSL or Secret gets a new
 * store (the old one is closed later, so work in flight finishes). Stores handed out are shared:
 * their `close()` does nothing; `ObjectStoreCache.close()` closes them all.
 * Errors: NotFound for a missing BSL, Config for a missing Secret or key or a bad spec.
 */
export class ObjectStoreCache {
  private readonly o: ObjectStoreCacheOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly retired = new Set<ObjectStore>();

  constructor(opts: ObjectStoreCacheOptions) {
    this.o = opts;
  }

  async get(bslName: string): Promise<ObjectStore> {
    const ns = this.o.client.namespace;
    const bsl = await this.o.client.get<BackupStorageLocation>(PLURALS.BackupStorageLocation, bslName);
    if (bsl === undefined) throw new SkiffError('NotFound', `backup storage location ${bslName} not found in namespace ${ns}`);
    let credentialsFile: Redacted<Buffer> | undefined;
    let secretVersion = '';
    const cred = bsl.spec.credential;
    if (cred !== undefined && cred.name !== undefined && cred.name !== '') {
      const secret = await this.o.readSecret(ns, cred.name);
      if (secret === undefined) throw new SkiffError('Config', `credential secret ${ns}/${cred.name} of backup storage location ${bslName} not found`);
      credentialsFile = secret.value(cred.key);
      if (credentialsFile === undefined) throw new SkiffError('Config', `credential secret ${ns}/${cred.name} has no key ${cred.key}`);
      secretVersion = secret.resourceVersion;
    }
    const version = `${bsl.metadata.resourceVersion ?? ''}/${secretVersion}`;
    const cached = this.entries.get(bslName);
    if (cached?.version === version) return shared(cached.store);
    const store = (this.o.build ?? objectStoreForBsl)(bsl, credentialsFile);
    const again = this.entries.get(bslName);
    if (again?.version === version) {
      await store.close();
      return shared(again.store);
    }
    if (again !== undefined) this.retire(again.store);
    this.entries.set(bslName, { version, store });
    return shared(store);
  }

  private retire(store: ObjectStore): void {
    this.retired.add(store);
    const t = setTimeout(() => {
      this.retired.delete(store);
      void store.close().catch(() => undefined);
    }, this.o.retireAfterMs ?? 10 * 60_000);
    t.unref();
  }

  async close(): Promise<void> {
    const all = [...[...this.entries.values()].map((e) => e.store), ...this.retired];
    this.entries.clear();
    this.retired.clear();
    await Promise.all(all.map((s) => s.close().catch(() => undefined)));
  }
}

/** A view of `s` whose close() is a no-op (the cache owns the store). */
function shared(s: ObjectStore): ObjectStore {
  return {
    location: s.location,
    put: (key: string, body: Buffer | Readable, opts?: { contentType?: string }) => s.put(key, body, opts),
    get: (key) => s.get(key),
    getStream: (key) => s.getStream(key),
    exists: (key) => s.exists(key),
    list: (prefix) => s.list(prefix),
    listPrefixes: (prefix) => s.listPrefixes(prefix),
    delete: (key) => s.delete(key),
    deletePrefix: (prefix) => s.deletePrefix(prefix),
    presignGet: (key, expires) => s.presignGet(key, expires),
    validate: () => s.validate(),
    close: async () => {},
  };
}
