/**
 * Test helpers for running Skiff's processes as the service accounts `skiff install` creates
 * (token auth, the installed RBAC), never as admin. On kube-apiserver 1.20 the
 * controller-manager's token controller writes a `kubernetes.io/service-account-token` Secret
 * for each service account; its token goes into a kubeconfig for that account.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { NAMES } from '../../../daemonset/index.ts';
import { SkiffError } from '../../../repository/index.ts';
import { connectKube } from '../kube.ts';
import { runSkiff } from './run-skiff.ts';

/** The parts of test/kube's ControlPlane these helpers use. */
export interface TestCluster {
  kubeconfigPath: string;
  server: string;
  caFile: string;
  dir: string;
}

type ServiceAccount = { secrets?: { name?: string }[] };
type TokenSecret = { type?: string; data?: Record<string, string> };

async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new SkiffError('Transient', `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The bearer token of `namespace/serviceAccount`, once the controller-manager has minted it. */
export async function serviceAccountToken(cp: TestCluster, namespace: string, serviceAccount: string, timeoutMs = 30_000): Promise<string> {
  const c = connectKube({ kubeconfig: cp.kubeconfigPath, namespace }, {});
  return poll(`a token Secret for service account ${namespace}/${serviceAccount}`, timeoutMs, async () => {
    const sa = await c.read<ServiceAccount>({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: serviceAccount, namespace } });
    for (const ref of sa?.secrets ?? []) {
      if (ref.name === undefined) continue;
      const s = await c.read<TokenSecret>({ apiVersion: 'v1', kind: 'Secret', metadata: { name: ref.name, namespace } });
      const token = s?.type === 'kubernetes.io/service-account-token' ? s.data?.['token'] : undefined;
      if (token !== undefined && token !== '') return Buffer.from(token, 'base64').toString('utf8');
    }
    return undefined;
  });
}

/**
 * Writes a kubeconfig (mode 0600, in the control plane's directory) that authenticates as
 * `namespace/serviceAccount` with its token; current context namespace = `namespace`.
 * Returns its path.
 */
export async function serviceAccountKubeconfig(
  cp: TestCluster,
  opts: { namespace?: string; serviceAccount?: string; file?: string; timeoutMs?: number } = {},
): Promise<string> {
  const namespace = opts.namespace ?? 'skiff';
  const sa = opts.serviceAccount ?? NAMES.serverServiceAccount;
  const token = await serviceAccountToken(cp, namespace, sa, opts.timeoutMs);
  const user = `system:serviceaccount:${namespace}:${sa}`;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'skiff-test', cluster: { server: cp.server, 'certificate-authority': cp.caFile } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: sa, context: { cluster: 'skiff-test', user, namespace } }],
    'current-context': sa,
  };
  const file = opts.file ?? path.join(cp.dir, `kubeconfig-${namespace}-${sa}`);
  await writeFile(file, stringify(doc), { mode: 0o600 });
  return file;
}

export interface TestInstall {
  namespace: string;
  /** kubeconfig of service account `skiff` (what `skiff server` runs as). */
  serverKubeconfig: string;
  /** kubeconfig of service account `skiff-node-agent`, when installed with the node agent. */
  nodeAgentKubeconfig?: string;
}

/**
 * Runs `skiff install` (as admin) with `args` (e.g. --bucket, --secret-file, --no-secret,
 * --use-node-agent) and returns kubeconfigs for the installed service accounts. Throws with
 * the command's stderr when install fails.
 */
export async function installForTest(cp: TestCluster, args: readonly string[] = [], namespace = 'skiff'): Promise<TestInstall> {
  const r = await runSkiff(['install', '--kubeconfig', cp.kubeconfigPath, '-n', namespace, ...args]);
  if (r.code !== 0) throw new SkiffError('Permanent', `skiff install failed (exit ${r.code}): ${r.stderr.trim()}`);
  const serverKubeconfig = await serviceAccountKubeconfig(cp, { namespace });
  const withAgent = args.includes('--use-node-agent') || args.includes('--use-restic');
  return {
    namespace,
    serverKubeconfig,
    ...(withAgent ? { nodeAgentKubeconfig: await serviceAccountKubeconfig(cp, { namespace, serviceAccount: NAMES.nodeAgentServiceAccount }) } : {}),
  };
}
