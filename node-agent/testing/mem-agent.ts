/**
 * A node agent over in-memory fakes, for unit tests: MemSkiffClient (Skiff objects and a BSL),
 * a Secret reader holding the repository password, MemStorage repositories by prefix, pods in a
 * list, an in-memory Lease store, and a temporary host pods directory.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { API_VERSION, PLURALS, type BackupStorageLocation } from '../../crds/index.ts';
import {
  MemSkiffClient,
  Redacted,
  silentLogger,
  type KubeObject,
  type Lease,
  type LeaseStore,
  type ListWatchSource,
  type Logger,
} from '../../controller/runtime/index.ts';
import { MemStorage, openRepository, type Repository } from '../../repository/index.ts';
import { startNodeAgent, type NodeAgentDeps, type NodeAgentHandle } from '../agent.ts';
import { REPO_PASSWORD_KEY, REPO_SECRET, RepositoryProvider } from '../repo-provider.ts';
import type { ClusterReads, PodObject } from '../volume-source.ts';

export const PASSWORD = 'unit test password';
const KDF = { N: 1024, r: 8, p: 1 };

export interface MemAgentEnv {
  readonly client: MemSkiffClient;
  readonly storages: Map<string, MemStorage>;
  readonly hostPods: string;
  readonly pods: PodObject[];
  readonly leases: Map<string, Lease>;
  /** makes `<hostPods>/<uid>/volumes/kubernetes.io~empty-dir/<volume>` and adds the pod */
  addPod(ns: string, name: string, uid: string, node: string, volumes: string[]): Promise<Record<string, string>>;
  start(opts?: Partial<NodeAgentDeps> & { node?: string }): Promise<NodeAgentHandle>;
  /** the repository of `fsb/<ns>` (opened with the password) */
  repo(ns: string): Promise<Repository>;
  cleanup(): Promise<void>;
}

/** `source` restricted to objects whose labels match `k=v[,k=v]` (MemSkiffClient's source sees all). */
export function filtered(source: ListWatchSource<KubeObject>, selector: string): ListWatchSource<KubeObject> {
  const want = selector.split(',').map((s) => s.split('=') as [string, string]);
  const ok = (o: KubeObject) => want.every(([k, v]) => o.metadata.labels?.[k] === v);
  return {
    listPage: async (o) => {
      const page = await source.listPage(o);
      return { ...page, items: page.items.filter(ok) };
    },
    watch: (o, onEvent) => source.watch(o, (e) => (e.type === 'BOOKMARK' || ok(e.object) ? onEvent(e) : undefined)),
  };
}

export async function memAgentEnv(log: Logger = silentLogger()): Promise<MemAgentEnv> {
  const client = new MemSkiffClient('skiff');
  const bsl: BackupStorageLocation = {
    apiVersion: API_VERSION,
    kind: 'BackupStorageLocation',
    metadata: { name: 'default' },
    spec: { provider: 'aws', objectStorage: { bucket: 'bucket', prefix: 'cluster' } },
  };
  await client.create(PLURALS.BackupStorageLocation, bsl);
  const storages = new Map<string, MemStorage>();
  const hostPods = await mkdtemp(path.join(os.tmpdir(), 'skiff-agent-unit-'));
  const pods: PodObject[] = [];
  const leases = new Map<string, Lease>();
  const leaseStore: LeaseStore = {
    get: async (name) => structuredClone(leases.get(name)),
    create: async (l) => (leases.set(l.metadata.name ?? '', structuredClone(l)), l),
    replace: async (l) => (leases.set(l.metadata.name ?? '', structuredClone(l)), l),
  };
  const reads: ClusterReads = {
    getPod: async (ns, name) => pods.find((p) => p.metadata.namespace === ns && p.metadata.name === name),
    getPvc: async () => undefined,
    getPv: async () => undefined,
  };
  const storageFor = (prefix: string): MemStorage => {
    let s = storages.get(prefix);
    if (s === undefined) storages.set(prefix, (s = new MemStorage({ location: `mem:${prefix}` })));
    return s;
  };
  const agents: NodeAgentHandle[] = [];
  return {
    client,
    storages,
    hostPods,
    pods,
    leases,
    async addPod(ns, name, uid, node, volumes) {
      pods.push({ metadata: { name, namespace: ns, uid }, spec: { nodeName: node, volumes: volumes.map((v) => ({ name: v })) } });
      const dirs: Record<string, string> = {};
      for (const v of volumes) {
        dirs[v] = path.join(hostPods, uid, 'volumes', 'kubernetes.io~empty-dir', v);
        await mkdir(dirs[v], { recursive: true });
      }
      return dirs;
    },
    async start(opts = {}) {
      const repos = new RepositoryProvider({
        client,
        readSecret: async (_ns, name) =>
          name === REPO_SECRET ? { resourceVersion: '1', value: (k) => (k === REPO_PASSWORD_KEY ? new Redacted(Buffer.from(PASSWORD)) : undefined) } : undefined,
        hostname: `skiff-node-agent-${opts.node ?? 'node-1'}`,
        log,
        repoOptions: { workers: 0 },
        init: { kdf: KDF, settleMs: 5 },
        storageFor: (_conn, prefix) => storageFor(prefix),
        lockSettleMs: 5,
      });
      const agent = await startNodeAgent({
        node: 'node-1',
        hostPods,
        client,
        sourceFor: (plural, selector) => filtered(client.source(plural), selector),
        reads,
        repos,
        leases: leaseStore,
        log,
        progressIntervalMs: 20,
        restoreWaitIntervalMs: 20,
        sweepMs: 200,
        ...opts,
      });
      agents.push(agent);
      return agent;
    },
    repo: (ns) => openRepository(storageFor(`cluster/fsb/${ns}`), PASSWORD),
    async cleanup() {
      await Promise.all(agents.map((a) => a.stop()));
      await rm(hostPods, { recursive: true, force: true });
    },
  };
}
