/**
 * Fakes for unit tests of the pod volume hooks: an in-memory cluster (pods, claims, volumes,
 * owners, Leases), and PodVolumeDeps over MemSkiffClient, MemObjectStore and in-memory
 * repositories (one MemStorage per repository prefix, kept across opens).
 */
import { API_VERSION, type BackupStorageLocation, PLURALS } from '../../../crds/index.ts';
import { type KdfParams, MemStorage } from '../../../repository/index.ts';
import { MemObjectStore } from '../../objectstore/index.ts';
import { RepositoryAccess } from '../../repository/index.ts';
import { type ClockWithTimers, type Lease, MemSkiffClient, Redacted, silentLogger, systemClock } from '../../runtime/index.ts';
import type { PodVolumeCluster } from '../cluster.ts';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../core-types.ts';
import type { PodVolumeDeps } from '../options.ts';

export class FakeCluster implements PodVolumeCluster {
  readonly pods = new Map<string, Pod>();
  readonly pvcs = new Map<string, PersistentVolumeClaim>();
  readonly pvs = new Map<string, PersistentVolume>();
  readonly leases = new Map<string, Lease>();
  readonly owners = new Map<string, NonNullable<Pod['metadata']['ownerReferences']>>();

  addPod(p: Pod): void {
    this.pods.set(`${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`, p);
  }

  async getPod(ns: string, name: string): Promise<Pod | undefined> {
    return structuredClone(this.pods.get(`${ns}/${name}`));
  }

  async listPods(ns: string, labelSelector: string): Promise<Pod[]> {
    const [k, v] = labelSelector.split('=');
    return [...this.pods.values()].filter((p) => p.metadata.namespace === ns && (k === undefined || p.metadata.labels?.[k] === v)).map((p) => structuredClone(p));
  }

  async getPvc(ns: string, name: string): Promise<PersistentVolumeClaim | undefined> {
    return structuredClone(this.pvcs.get(`${ns}/${name}`));
  }

  async getPv(name: string): Promise<PersistentVolume | undefined> {
    return structuredClone(this.pvs.get(name));
  }

  readonly ownersOf = async (ref: { kind: string; name: string }, ns: string) => this.owners.get(`${ns}/${ref.kind}/${ref.name}`);

  async getLease(name: string): Promise<Lease | undefined> {
    return structuredClone(this.leases.get(name));
  }

  /** a live agent on `node` (its Lease renewed at `at`) */
  agentOn(node: string, at: Date): void {
    this.leases.set(`skiff-node-agent-${node}`, { metadata: { name: `skiff-node-agent-${node}` }, spec: { holderIdentity: node, renewTime: at.toISOString().replace('Z', '000Z') } });
  }
}

export const FAST_KDF: KdfParams = { N: 1024, r: 8, p: 1 };

export interface MemEnv {
  readonly cluster: FakeCluster;
  readonly client: MemSkiffClient;
  readonly store: MemObjectStore;
  /** repository storages by prefix (`cluster-a/fsb/<ns>`) */
  readonly storages: Map<string, MemStorage>;
  readonly deps: PodVolumeDeps;
}

export async function memEnv(opts: { clock?: ClockWithTimers; password?: string; deps?: Partial<PodVolumeDeps> } = {}): Promise<MemEnv> {
  const cluster = new FakeCluster();
  const client = new MemSkiffClient('skiff');
  const store = new MemObjectStore();
  const storages = new Map<string, MemStorage>();
  const bsl: BackupStorageLocation = {
    apiVersion: API_VERSION,
    kind: 'BackupStorageLocation',
    metadata: { name: 'default' },
    spec: { provider: 'aws', objectStorage: { bucket: 'skiff', prefix: 'cluster-a' }, config: { s3Url: 'http://127.0.0.1:9000', region: 'us-east-1' } },
  };
  await client.create(PLURALS.BackupStorageLocation, bsl);
  const password = opts.password ?? 'secret-password';
  const access = new RepositoryAccess({
    client,
    readSecret: async (_ns, name) =>
      name === 'skiff-repo-credentials' ? { resourceVersion: '1', value: (k: string) => (k === 'repository-password' ? new Redacted(Buffer.from(password)) : undefined) } : undefined,
    storage: (_where, prefix) => {
      let s = storages.get(prefix);
      if (s === undefined) storages.set(prefix, (s = new MemStorage()));
      return s;
    },
    repoOptions: { workers: 0, kdf: FAST_KDF },
    settleMs: 0,
  });
  const deps: PodVolumeDeps = {
    cluster,
    client,
    access,
    objectStore: async () => store,
    log: silentLogger(),
    clock: opts.clock ?? systemClock,
    pollMs: 5,
    image: 'registry.example/skiff:test',
    ...opts.deps,
  };
  return { cluster, client, store, storages, deps };
}
