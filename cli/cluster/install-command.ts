/** `skiff install` and `skiff uninstall`. */
import type { Command } from 'commander';
import { NAMES, clusterRoleNames, crdManifests, installManifests, namespaceManifest, type Manifest } from '../../daemonset/index.ts';
import { KINDS, PLURALS } from '../../crds/index.ts';
import { SkiffError } from '../../repository/index.ts';
import type { ClusterClient, ClusterFlags, ObjectRef } from './client.ts';
import { type ClusterContext, client, pollFor, requireConfirmation } from './context.ts';
import { withClusterFlags } from './flags.ts';
import { applyManifests, waitReady } from './install-apply.ts';
import { type InstallFlags, installOptionsFrom, withInstallFlags } from './install-options.ts';
import { formatMany } from './print.ts';

type InstallCmdFlags = InstallFlags & ClusterFlags & { dryRun?: boolean; output?: string; wait?: boolean; timeout?: string; crdsOnly?: boolean };

function seconds(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback * 1000;
  const n = Number(v.replace(/s$/, ''));
  if (!Number.isFinite(n) || n <= 0) throw new SkiffError('Config', `--timeout: invalid number of seconds ${JSON.stringify(v)}`);
  return n * 1000;
}

export function registerInstall(program: Command, ctx: ClusterContext): void {
  const install = program
    .command('install')
    .description('install Skiff into a cluster: namespace, CRDs, RBAC, Secrets, default location, server (and node agent)')
    .option('--dry-run', 'print the manifests instead of applying them (see -o)')
    .option('-o, --output <format>', 'with --dry-run: yaml (default) or json')
    .option('--crds-only', 'only the CustomResourceDefinitions')
    .option('--wait', 'wait until the server (and node agents) are ready')
    .option('--timeout <seconds>', 'how long to wait for CRDs and, with --wait, readiness (default 300)');
  withClusterFlags(withInstallFlags(install)).action(async (o: InstallCmdFlags) => {
    const format = o.output ?? 'yaml';
    if (format !== 'yaml' && format !== 'json') throw new SkiffError('Config', `install -o takes yaml or json, not ${JSON.stringify(format)}`);
    if (o.output !== undefined && o.dryRun !== true) throw new SkiffError('Config', '-o is only for --dry-run');
    const opts = await installOptionsFrom(o, ctx.e);
    const manifests: Manifest[] = o.crdsOnly === true ? crdManifests() : installManifests(opts);
    if (o.dryRun === true) {
      ctx.out.line(formatMany(manifests, format));
      return;
    }
    const timeoutMs = seconds(o.timeout, 300);
    const c = client(ctx, { ...o, namespace: opts.namespace });
    await applyManifests(ctx, c, manifests, timeoutMs);
    if (o.wait === true) await waitReady(ctx, c, manifests, timeoutMs);
    ctx.out.line(
      o.crdsOnly === true
        ? 'Skiff CRDs are installed.'
        : `Skiff is installed in namespace ${opts.namespace}. Use 'kubectl logs deployment/${NAMES.deployment} -n ${opts.namespace}' to see the server's log.`,
    );
  });

  const uninstall = program
    .command('uninstall')
    .description("remove Skiff: its namespace (with every Skiff object), CRDs and cluster roles; backups in object storage stay")
    .option('--force', 'do not ask for confirmation')
    .option('--wait', 'wait until the namespace and CRDs are gone')
    .option('--timeout <seconds>', 'how long --wait waits (default 300)');
  withClusterFlags(uninstall).action(async (o: ClusterFlags & { force?: boolean; wait?: boolean; timeout?: string }) => {
    const c = client(ctx, o);
    await requireConfirmation(ctx, o.force, `Remove Skiff from namespace ${c.namespace} and its CRDs from the cluster`, '--force');
    await uninstallFrom(ctx, c, o.wait === true ? seconds(o.timeout, 300) : undefined);
  });
}

const ref = (apiVersion: string, kind: string, name: string, namespace?: string): ObjectRef => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace !== undefined ? { namespace } : {}) },
});

/** Custom objects whose finalizers nobody will process once the server is gone would block CRD deletion. */
async function dropFinalizers(c: ClusterClient): Promise<void> {
  for (const kind of KINDS) {
    const items = await c.list(PLURALS[kind]).catch((err: unknown) => {
      if (err instanceof SkiffError && err.code === 'NotFound') return [];
      throw err;
    });
    for (const item of items) {
      if ((item.metadata.finalizers ?? []).length > 0) await c.patch(PLURALS[kind], item.metadata.name ?? '', { metadata: { finalizers: null } });
    }
  }
}

export async function uninstallFrom(ctx: ClusterContext, c: ClusterClient, waitMs: number | undefined): Promise<void> {
  const ns = c.namespace;
  const roles = clusterRoleNames(ns);
  const first = [ref('apps/v1', 'Deployment', NAMES.deployment, ns), ref('apps/v1', 'DaemonSet', NAMES.daemonSet, ns)];
  for (const r of first) if (await c.remove(r)) ctx.out.line(`${r.kind}/${r.metadata.name}: deleted`);
  await dropFinalizers(c);
  const rest = [
    ...crdManifests().map((m) => ref(m.apiVersion, m.kind, m.metadata.name)),
    ...[roles.server, roles.nodeAgent].flatMap((n) => [
      ref('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', n),
      ref('rbac.authorization.k8s.io/v1', 'ClusterRole', n),
    ]),
    namespaceManifest(ns),
  ];
  for (const r of rest) if (await c.remove(r)) ctx.out.line(`${r.kind}/${r.metadata.name}: deleted`);
  if (waitMs !== undefined) {
    for (const r of rest.filter((x) => x.kind === 'Namespace' || x.kind === 'CustomResourceDefinition')) {
      await pollFor(ctx, `${r.kind}/${r.metadata.name} to be gone`, async () => ((await c.read(r)) === undefined ? true : undefined), waitMs);
    }
  }
  ctx.out.line(`Skiff is uninstalled from namespace ${ns}.`);
}
