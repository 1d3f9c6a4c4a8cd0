/**
 * Applying the install manifests: server-side apply in order, so a second install updates
 * in place (idempotent). Exceptions: the repository password Secret is only ever created
 * (changing it would lock out existing repositories), and custom objects wait until the CRDs
 * are Established and served.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { NAMES, type Manifest } from '../../daemonset/index.ts';
import { SkiffError } from '../../repository/index.ts';
import type { ClusterClient } from './client.ts';
import { type ClusterContext, pollFor } from './context.ts';

type Conditioned = { status?: { conditions?: { type?: string; status?: string }[] } };
type Workload = {
  metadata?: { generation?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    desiredNumberScheduled?: number;
    numberReady?: number;
    updatedNumberScheduled?: number;
  };
  spec?: { replicas?: number };
};

const label = (m: Manifest) => `${m.kind}/${m.metadata.name}`;

async function waitEstablished(ctx: ClusterContext, c: ClusterClient, crds: Manifest[], timeoutMs: number): Promise<void> {
  for (const crd of crds) {
    await pollFor(
      ctx,
      `CustomResourceDefinition ${crd.metadata.name} to be Established`,
      async () => {
        const cur = await c.read<Conditioned>({ apiVersion: crd.apiVersion, kind: crd.kind, metadata: { name: crd.metadata.name } });
        return (cur?.status?.conditions ?? []).some((x) => x.type === 'Established' && x.status === 'True') ? true : undefined;
      },
      timeoutMs,
    );
  }
}

/** Applies a custom object, retrying while its new CRD is not yet in the API server's discovery. */
async function applyCustom(ctx: ClusterContext, c: ClusterClient, m: Manifest, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await c.apply(m);
      return;
    } catch (err) {
      const notServedYet = err instanceof SkiffError && (err.code === 'NotFound' || err.code === 'Permanent');
      if (!notServedYet || Date.now() >= deadline) throw err;
    }
    await sleep(ctx.pollMs);
  }
}

export async function applyManifests(ctx: ClusterContext, c: ClusterClient, manifests: Manifest[], timeoutMs: number): Promise<void> {
  const crds = manifests.filter((m) => m.kind === 'CustomResourceDefinition');
  let crdsReady = crds.length === 0;
  for (const m of manifests) {
    if (!crdsReady && m.kind !== 'CustomResourceDefinition' && m.kind !== 'Namespace') {
      await waitEstablished(ctx, c, crds, timeoutMs);
      crdsReady = true;
    }
    if (m.kind === 'Secret' && m.metadata.name === NAMES.repositorySecret) {
      const created = await c.createIfAbsent(m);
      ctx.out.line(`${label(m)}: ${created ? 'created' : 'exists, kept (a repository password is never replaced)'}`);
      continue;
    }
    if (m.apiVersion.startsWith('skiff.dev/')) await applyCustom(ctx, c, m, timeoutMs);
    else await c.apply(m);
    ctx.out.line(`${label(m)}: applied`);
  }
  if (!crdsReady) await waitEstablished(ctx, c, crds, timeoutMs);
}

function workloadReady(w: Workload | undefined): boolean {
  const s = w?.status;
  if (s === undefined || (s.observedGeneration ?? 0) < (w?.metadata?.generation ?? 1)) return false;
  if (s.desiredNumberScheduled !== undefined) {
    return (s.numberReady ?? 0) >= s.desiredNumberScheduled && (s.updatedNumberScheduled ?? 0) >= s.desiredNumberScheduled;
  }
  const want = w?.spec?.replicas ?? 1;
  return (s.updatedReplicas ?? 0) >= want && (s.availableReplicas ?? 0) >= want;
}

/** --wait: until the Deployment (and the DaemonSet, when installed) report every replica ready. */
export async function waitReady(ctx: ClusterContext, c: ClusterClient, manifests: Manifest[], timeoutMs: number): Promise<void> {
  for (const m of manifests.filter((x) => x.kind === 'Deployment' || x.kind === 'DaemonSet')) {
    ctx.out.err(`Waiting for ${label(m)} to be ready...`);
    await pollFor(ctx, `${label(m)} to be ready`, async () => (workloadReady(await c.read<Workload>(m)) ? true : undefined), timeoutMs);
    ctx.out.line(`${label(m)}: ready`);
  }
}
