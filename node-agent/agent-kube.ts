/**
 * `skiff node-agent` wired to the API server: the kubeconfig (in-cluster service account by
 * default), a SkiffClient in the server namespace, list+watch restricted to this node's label,
 * pod/PVC/PV reads, the Lease store, the repository provider over the BSLs' S3 stores, and an
 * optional health endpoint (`/healthz`, `/readyz`).
 */
import { access, constants } from 'node:fs/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { SkiffError, type RepoOptions } from '../repository/index.ts';
import { leaseStore, loadKubeConfig, makeDynamicClient, makeSkiffClient, readSecret } from '../controller/kube/index.ts';
import type { ResourceClient } from '../controller/kube/index.ts';
import {
  errText,
  healthRoutes,
  makeLogger,
  serveHttp,
  type HttpEndpoint,
  type KubeObject,
  type ListWatchSource,
  type Logger,
} from '../controller/runtime/index.ts';
import { startNodeAgent, type NodeAgentHandle } from './agent.ts';
import { agentLeaseName } from './agent-lease.ts';
import { kubeClusterReads } from './cluster-reads.ts';
import { RepositoryProvider } from './repo-provider.ts';

export interface RunNodeAgentOptions {
  readonly node: string;
  readonly hostPods: string;
  /** the server namespace: Skiff's objects, Secrets and the Lease */
  readonly namespace: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  /** instead of kubeconfig/context (tests) */
  readonly kubeConfig?: KubeConfig;
  readonly concurrency?: number;
  /** checked writable at start; reserved for the engine's local cache */
  readonly scratchDir?: string;
  readonly healthHost?: string;
  readonly healthPort?: number;
  readonly restoreWaitTimeoutMs?: number;
  readonly progressIntervalMs?: number;
  /** engine settings bounding CPU and memory (workers, packSize, compression) */
  readonly repoOptions?: RepoOptions;
  readonly log?: Logger;
}

export interface RunningNodeAgent extends NodeAgentHandle {
  readonly healthUrl: string | undefined;
}

/** List and watch of `rc`, always with `labelSelector`: the agent never watches other nodes' work. */
export function labelledSource<T extends KubeObject>(rc: ResourceClient<T>, labelSelector: string): ListWatchSource<T> {
  return {
    listPage: (o) => rc.listPage({ ...o, labelSelector }),
    watch: (o, onEvent) => rc.watch({ ...o, labelSelector }, onEvent),
  };
}

export async function runNodeAgent(o: RunNodeAgentOptions): Promise<RunningNodeAgent> {
  if (o.node === '') throw new SkiffError('Config', 'the node name is empty: pass --node-name or set NODE_NAME (the downward API spec.nodeName)');
  await access(o.hostPods, constants.R_OK | constants.X_OK).catch(() => {
    throw new SkiffError('Config', `the host's pods directory ${o.hostPods} is not readable (mount the kubelet's pods directory there)`);
  });
  if (o.scratchDir !== undefined) {
    await access(o.scratchDir, constants.W_OK).catch(() => {
      throw new SkiffError('Config', `the scratch directory ${o.scratchDir} is not writable`);
    });
  }
  const log = (o.log ?? makeLogger({ base: { component: 'node-agent' } })).child({ node: o.node });
  const kc = o.kubeConfig ?? loadKubeConfig({ ...(o.kubeconfig === undefined ? {} : { kubeconfig: o.kubeconfig }), ...(o.context === undefined ? {} : { context: o.context }) }).kc;
  const dynamic = makeDynamicClient(kc);
  const client = makeSkiffClient(dynamic, o.namespace);
  const repos = new RepositoryProvider({
    client,
    readSecret: (ns, name) => readSecret(dynamic, ns, name),
    hostname: agentLeaseName(o.node),
    log,
    ...(o.repoOptions === undefined ? {} : { repoOptions: o.repoOptions }),
  });
  const agent = await startNodeAgent({
    node: o.node,
    hostPods: o.hostPods,
    client,
    sourceFor: (plural, selector) => labelledSource(client.resource(plural), selector),
    reads: kubeClusterReads(dynamic),
    repos,
    leases: leaseStore(dynamic, o.namespace),
    log,
    ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
    ...(o.restoreWaitTimeoutMs === undefined ? {} : { restoreWaitTimeoutMs: o.restoreWaitTimeoutMs }),
    ...(o.progressIntervalMs === undefined ? {} : { progressIntervalMs: o.progressIntervalMs }),
  });
  let health: HttpEndpoint | undefined;
  if (o.healthPort !== undefined) {
    const routes = healthRoutes({
      live: () => ({ ok: true }),
      ready: () => (agent.ready() ? { ok: true } : { ok: false, reason: 'informers not synced' }),
    });
    try {
      health = await serveHttp({ host: o.healthHost ?? '0.0.0.0', port: o.healthPort, routes, log });
    } catch (err) {
      await agent.stop();
      await repos.close();
      throw new SkiffError('Config', `cannot listen: ${errText(err)}`, { cause: err });
    }
  }
  log.info({ namespace: o.namespace, apiServer: kc.getCurrentCluster()?.server, health: health?.url }, 'node agent running');
  let stopped: Promise<void> | undefined;
  return {
    healthUrl: health?.url,
    ready: () => agent.ready(),
    load: () => agent.load(),
    stop: () =>
      (stopped ??= (async () => {
        await agent.stop();
        await repos.close();
        await health?.close();
      })()),
  };
}
