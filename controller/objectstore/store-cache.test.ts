import test from 'ava';
import type { BackupStorageLocation } from '../../crds/index.ts';
import { SkiffError } from '../../repository/errors/errors.ts';
import { MemSkiffClient } from '../runtime/mem-skiff-client.ts';
import { Redacted } from '../runtime/redact.ts';
import { MemObjectStore } from './mem-object-store.ts';
import { type CredentialSecret, ObjectStoreCache } from './store-cache.ts';

const bsl = (name: string, bucket: string, credential?: { name: string; key: string }): BackupStorageLocation => ({
  apiVersion: 'skiff.dev/v1',
  kind: 'BackupStorageLocation',
  metadata: { name },
  spec: { provider: 'aws', objectStorage: { bucket }, ...(credential === undefined ? {} : { credential }) },
});

function setup() {
  const client = new MemSkiffClient('skiff');
  const secrets = new Map<string, { rv: string; data: Record<string, string> }>();
  const readSecret = async (ns: string, name: string): Promise<CredentialSecret | undefined> => {
    const s = secrets.get(`${ns}/${name}`);
    if (s === undefined) return undefined;
    return { resourceVersion: s.rv, value: (k) => (s.data[k] === undefined ? undefined : new Redacted(Buffer.from(s.data[k]))) };
  };
  const built: { bucket: string; creds: string | undefined; store: MemObjectStore; closed: boolean }[] = [];
  const cache = new ObjectStoreCache({
    client,
    readSecret,
    build: (b, creds) => {
      const store = new MemObjectStore(`mem://${b.spec.objectStorage.bucket}`);
      const entry = { bucket: b.spec.objectStorage.bucket, creds: creds?.reveal().toString(), store, closed: false };
      store.close = async () => {
        entry.closed = true;
      };
      built.push(entry);
      return store;
    },
    retireAfterMs: 10,
  });
  return { client, secrets, built, cache };
}

test('reuses the store while the BSL and Secret are unchanged; a change builds a new one and retires the old', async (t) => {
  const { client, secrets, built, cache } = setup();
  secrets.set('skiff/creds', { rv: '1', data: { cloud: 'file-v1' } });
  await client.create('backupstoragelocations', bsl('default', 'b1', { name: 'creds', key: 'cloud' }));
  const s1 = await cache.get('default');
  const s2 = await cache.get('default');
  t.is(built.length, 1);
  t.is(s1.location, 'mem://b1');
  t.is(built[0]?.creds, 'file-v1', 'the Secret key is handed to the builder');
  await s1.put('k', Buffer.from('v'));
  t.deepEqual(await s2.get('k'), Buffer.from('v'), 'the same underlying store');
  await s1.close();
  t.false(built[0]?.closed, 'close() on a handed-out store does nothing');

  secrets.set('skiff/creds', { rv: '2', data: { cloud: 'file-v2' } });
  await cache.get('default');
  t.is(built.length, 2);
  t.is(built[1]?.creds, 'file-v2');
  await client.patch('backupstoragelocations', 'default', { spec: { objectStorage: { bucket: 'b2' } } });
  t.is((await cache.get('default')).location, 'mem://b2');
  t.is(built.length, 3);
  await new Promise((r) => setTimeout(r, 30));
  t.true(built[0]?.closed && built[1]?.closed, 'replaced stores are closed after the grace period');
  t.false(built[2]?.closed);
  await cache.close();
  t.true(built[2]?.closed);
});

test('clear errors: missing BSL (NotFound), missing Secret or key (Config); no credential means the default chain', async (t) => {
  const { client, secrets, built, cache } = setup();
  const e1 = await cache.get('nope').catch((e: unknown) => e);
  t.true(e1 instanceof SkiffError && e1.code === 'NotFound');
  t.is((e1 as Error).message, 'backup storage location nope not found in namespace skiff');
  await client.create('backupstoragelocations', bsl('a', 'b', { name: 'creds', key: 'cloud' }));
  const e2 = await cache.get('a').catch((e: unknown) => e);
  t.true(e2 instanceof SkiffError && e2.code === 'Config');
  t.is((e2 as Error).message, 'credential secret skiff/creds of backup storage location a not found');
  secrets.set('skiff/creds', { rv: '1', data: { other: 'x' } });
  await t.throwsAsync(cache.get('a'), { message: 'credential secret skiff/creds has no key cloud' });
  await client.create('backupstoragelocations', bsl('plain', 'b'));
  await cache.get('plain');
  t.is(built.at(-1)?.creds, undefined);
});
