/** A ReconcileContext over the in-memory fakes, with one default BackupStorageLocation. */
import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { API_VERSION, type Backup, type BackupSpec, type BackupStorageLocation, PLURALS } from '../../../crds/index.ts';
import { ManualClock, memoryLogger } from '../../runtime/index.ts';
import type { ReconcileContext } from '../../runtime/index.ts';
import { SkiffError } from '../../../repository/errors/errors.ts';
import { readTarGz } from '../tar-reader.ts';
import { FakeCluster, MemObjectStore, MemSkiffClient, obj } from './fakes.ts';

export interface Fixture {
  client: MemSkiffClient;
  store: MemObjectStore;
  cluster: FakeCluster;
  clock: ManualClock;
  ctx: ReconcileContext;
  entries: ReturnType<typeof memoryLogger>['entries'];
}

export function appCluster(): FakeCluster {
  return new FakeCluster({
    namespaces: [obj('app'), obj('other')],
    pods: [obj('web-1', { namespace: 'app' })],
    configmaps: [obj('cfg', { namespace: 'app', extra: { data: { k: 'v' } } }), obj('cfg', { namespace: 'other' })],
    secrets: [obj('s', { namespace: 'app' })],
    'deployments.apps': [obj('web', { namespace: 'app' })],
    'widgets.example.com': [obj('w1', { namespace: 'app' })],
    'customresourcedefinitions.apiextensions.k8s.io': [obj('widgets.example.com')],
  });
}

export async function fixture(opts: { bsl?: Partial<BackupStorageLocation['spec']> } = {}): Promise<Fixture> {
  const client = new MemSkiffClient();
  const store = new MemObjectStore();
  const clock = new ManualClock(Date.UTC(2024, 4, 1, 12, 0, 0));
  const { log, entries } = memoryLogger();
  await client.create<BackupStorageLocation>(PLURALS.BackupStorageLocation, {
    apiVersion: API_VERSION,
    kind: 'BackupStorageLocation',
    metadata: { name: 'primary' },
    spec: { provider: 'aws', objectStorage: { bucket: 'b' }, default: true, ...opts.bsl },
  });
  const ctx: ReconcileContext = {
    client,
    log,
    clock,
    signal: new AbortController().signal,
    objectStore: async (name) => {
      if (name !== 'primary') throw new SkiffError('NotFound', `no location ${name}`);
      return store;
    },
  };
  return { client, store, cluster: appCluster(), clock, ctx, entries };
}

export async function createBackup(f: Fixture, name: string, spec: BackupSpec): Promise<Backup> {
  return f.client.create<Backup>(PLURALS.Backup, { apiVersion: API_VERSION, kind: 'Backup', metadata: { name }, spec });
}

export async function tarEntries(gz: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for await (const e of readTarGz(Readable.from([gz]))) out.set(e.path, e.data);
  return out;
}

export function gunzipText(b: Buffer | undefined): string {
  return b === undefined ? '' : gunzipSync(b).toString('utf8');
}

