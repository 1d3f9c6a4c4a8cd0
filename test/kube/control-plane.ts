import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { SkiffError } from '../../repository/errors/errors.ts';
import { ensureKubeAssets, etcdBinary } from './assets.ts';
import { kubeAvailable } from './availability.ts';
import { installCrds } from './install-crds.ts';
import { freePort, newToken, writeKubeconfig, writeServiceAccountKeys, writeTokenFile } from './config-files.ts';
import { type Daemon, logTail, startDaemon, stopDaemon } from './processes.ts';
import { httpsGet, pollUntil } from './wait.ts';

export interface ControlPlaneOptions {
  /** Run kube-scheduler too (default false: tests bind pods themselves). */
  scheduler?: boolean;
  /** Run kube-controller-manager (default true: service accounts, namespace deletion, garbage collection). */
  controllerManager?: boolean;
  /**
   * Install the Skiff CRDs before the controller manager starts (default false). Its garbage
   * collector then knows the kinds at once; CRDs added later are noticed only after up to 30 s.
   */
  crds?: boolean;
  /** How long to wait for everything to come up (default 90 s). */
  timeoutMs?: number;
}

export interface ControlPlane {
  /** Kubeconfig for the admin user (group system:masters), current context namespace `default`. */
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  adminToken: string;
  /** The API server's self-signed serving certificate (with its CA), to trust. */
  caFile: string;
  /** Temporary directory holding config, logs (`<component>.log`) and etcd data; removed by stop(). */
  dir: string;
  stop(): Promise<void>;
  kubeConfig(): KubeConfig;
  /** When a component has exited on its own since start: its name and log tail; otherwise undefined. */
  crashReport(): string | undefined;
}

/** tmpfs when there is one: etcd fsyncs on every write, which is slow on shared disks. */
function tempRoot(): string {
  const override = process.env['SKIFF_KUBE_TMP'];
  if (override !== undefined && override !== '') return override;
  return existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
}

const CONTROLLERS = '*,-nodeipam,-nodelifecycle,-service,-route,-cloud-node-lifecycle,-persistentvolume-binder,-attachdetach';

/**
 * Starts etcd, kube-apiserver (RBAC, token auth), and optionally kube-controller-manager and
 * kube-scheduler, all on 127.0.0.1 with free ports, and waits until the API server is ready
 * (and, with the controller manager, until service account `default/default` has its token).
 * On failure everything started is stopped and the error carries the failing component's log tail.
 */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const avail = kubeAvailable();
  if (!avail.ok) throw new SkiffError('Config', `cannot start a Kubernetes control plane: ${avail.why}`);
  const assets = await ensureKubeAssets();
  const timeoutMs = opts.timeoutMs ?? 90_000;
  const dir = await mkdtemp(path.join(tempRoot(), 'skiff-kube-'));
  const daemons: Daemon[] = [];
  const stop = async (): Promise<void> => {
    // Reverse order: clients before the API server, the API server before etcd.
    for (const d of [...daemons].reverse()) await stopDaemon(d);
    daemons.length = 0;
    if (process.env['SKIFF_KUBE_KEEP'] === '1') console.warn(`[skiff] SKIFF_KUBE_KEEP=1: kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  };
  const abortIf = (): string | undefined => {
    const dead = daemons.find((d) => d.exitedEarly());
    return dead === undefined ? undefined : `${dead.name} exited; log tail:\n${logTail(dead)}`;
  };
  try {
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const certDir = path.join(dir, 'certs');
    await mkdir(certDir);
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    daemons.push(
      startDaemon(dir, 'etcd', etcdBinary(), [
        '--name=skiff-test',
        `--data-dir=${path.join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=skiff-test=http://127.0.0.1:${etcdPeer}`,
      ]),
    );

    const adminToken = newToken();
    const cmToken = newToken();
    const schedToken = newToken();
    const tokenFile = path.join(dir, 'tokens.csv');
    await writeTokenFile(tokenFile, [
      { token: adminToken, user: 'skiff-admin', groups: ['system:masters'] },
      { token: cmToken, user: 'system:kube-controller-manager', groups: ['system:masters'] },
      { token: schedToken, user: 'system:kube-scheduler', groups: ['system:masters'] },
    ]);
    const sa = await writeServiceAccountKeys(dir);
    const server = `https://127.0.0.1:${apiPort}`;
    const caFile = path.join(certDir, 'apiserver.crt');
    daemons.push(
      startDaemon(dir, 'kube-apiserver', path.join(assets, 'kube-apiserver'), [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${certDir}`,
        `--token-auth-file=${tokenFile}`,
        '--authorization-mode=RBAC',
        `--service-account-key-file=${sa.publicKey}`,
        `--service-account-signing-key-file=${sa.privateKey}`,
        '--service-account-issuer=https://kubernetes.default.svc',
        '--service-cluster-ip-range=10.0.0.0/24',
        '--allow-privileged=true',
        '--profiling=false',
      ]),
    );
    await pollUntil(
      'kube-apiserver /readyz',
      async () => {
        if (!existsSync(caFile)) return undefined;
        const res = await httpsGet(`${server}/readyz`, caFile, adminToken);
        return res.status === 200 ? true : undefined;
      },
      { timeoutMs, intervalMs: 250, abortIf },
    );

    const kubeconfigPath = path.join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfigPath, { server, caFile, token: adminToken, user: 'skiff-admin' });
    const kubeConfig = (): KubeConfig => {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      return kc;
    };
    if (opts.crds ?? false) await installCrds(kubeConfig(), { timeoutMs });
    if (opts.controllerManager ?? true) {
      const kc = path.join(dir, 'controller-manager.kubeconfig');
      await writeKubeconfig(kc, { server, caFile, token: cmToken, user: 'system:kube-controller-manager' });
      daemons.push(
        startDaemon(dir, 'kube-controller-manager', path.join(assets, 'kube-controller-manager'), [
          `--kubeconfig=${kc}`,
          `--service-account-private-key-file=${sa.privateKey}`,
          `--root-ca-file=${caFile}`,
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          '--port=0',
          '--secure-port=0',
          `--controllers=${CONTROLLERS}`,
          '--profiling=false',
        ]),
      );
    }
    if (opts.scheduler ?? false) {
      const kc = path.join(dir, 'scheduler.kubeconfig');
      await writeKubeconfig(kc, { server, caFile, token: schedToken, user: 'system:kube-scheduler' });
      daemons.push(
        startDaemon(dir, 'kube-scheduler', path.join(assets, 'kube-scheduler'), [
          `--kubeconfig=${kc}`,
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          '--port=0',
          '--secure-port=0',
          '--profiling=false',
        ]),
      );
    }

    if (opts.controllerManager ?? true) {
      const core = kubeConfig().makeApiClient(CoreV1Api);
      await pollUntil(
        'the controller manager to create service account default/default and its token',
        async () => {
          const sa = await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
          return (sa.secrets ?? []).length > 0 ? true : undefined;
        },
        { timeoutMs, intervalMs: 250, abortIf },
      );
    }
    return { kubeconfigPath, server, adminToken, caFile, dir, stop, kubeConfig, crashReport: abortIf };
  } catch (err) {
    const logs = daemons.map((d) => `--- ${d.name} (${d.logFile}) ---\n${logTail(d, 2000)}`).join('\n');
    console.error(`[skiff] control plane failed to start in ${dir}:\n${logs}`);
    await stop();
    throw err;
  }
}
