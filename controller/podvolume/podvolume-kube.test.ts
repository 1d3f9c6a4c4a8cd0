/**
 * The controller side of file-system backup against the real API server, the embedded S3 and
 * the real node agent (node-agent/) on node-1; node-2 has no agent. The Backup and Restore
 * reconcilers run with this folder's hooks, driven directly; the BackupRepository reconciler
 * with an injected clock. Serial tests change the world in order.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { API_VERSION, type Backup, type BackupRepository, PLURALS, type PodVolumeBackup, type PodVolumeRestore, type Restore, type RestoreSpec } from '../../crds/index.ts';
import { check, listSnapshots } from '../../repository/index.ts';
import { runNodeAgent, type RunningNodeAgent } from '../../node-agent/index.ts';
import { startAgentKubeEnv, type AgentKubeEnv, type Pod as TestPod } from '../../node-agent/testing/kube-env.ts';
import { kubeTestsEnabled } from '../../test/kube/gate.ts';
import { testWithRestic } from '../../test/support/restic.ts';
import { bindPod, createPodVolumeDirs, markPodRunning, pollUntil } from '../../test/kube/index.ts';
import { backupKeys, backupReconciler, dynamicClusterReader, gunzipJson } from '../backup/index.ts';
import { readSecret } from '../kube/index.ts';
import { ObjectStoreCache } from '../objectstore/index.ts';
import { RepositoryAccess, backupRepositoryReconciler } from '../repository/index.ts';
import { dynamicClusterWriter, restoreKeys, restoreReconciler } from '../restore/index.ts';
import { ManualClock, silentLogger, systemClock, type KubeObject, type ReconcileContext } from '../runtime/index.ts';
import { podVolumeBackupHook, podVolumeRestorer, volumeSnapshotDeleter, kubePodVolumeCluster, type PodVolumeDeps } from './index.ts';

const NS = 'skiff';
const TERMINAL = new Set(['Completed', 'PartiallyFailed', 'Failed', 'FailedValidation']);
const core = (resource: string) => ({ group: '', version: 'v1', resource }) as const;

interface World {
  env: AgentKubeEnv;
  agent: RunningNodeAgent;
  stores: ObjectStoreCache;
  access: RepositoryAccess;
  deps: PodVolumeDeps;
  /** original volume directories of pod app/web */
  dirs: Record<string, string>;
}
let world: World | undefined;
const w = (): World => world ?? (() => { throw new Error('no environment') })();

function ctx(clock = systemClock): ReconcileContext {
  return { client: w().env.client, log: silentLogger(), clock, signal: new AbortController().signal, objectStore: (n) => w().stores.get(n) };
}

async function runToEnd<T extends Backup | Restore>(plural: string, name: string, reconcile: (o: T) => Promise<unknown>): Promise<T> {
  for (let i = 0; i < 5; i++) {
    const o = await w().env.client.get<T>(plural, name);
    if (o === undefined) throw new Error(`${plural}/${name} disappeared`);
    if (TERMINAL.has(o.status?.phase ?? '')) return o;
    await reconcile(o);
  }
  throw new Error(`${plural}/${name} did not finish`);
}

async function createRunningPod(ns: string, name: string, node: string, volumes: object[], annotations: Record<string, string>): Promise<TestPod> {
  const { env } = w();
  const body = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations },
    spec: { nodeName: node, automountServiceAccountToken: false, containers: [{ name: 'app', image: 'busybox', volumeMounts: volumes.map((v) => ({ name: (v as { name: string }).name, mountPath: `/${(v as { name: string }).name}` })) }], volumes },
  };
  const pod = (await env.dynamic.resource(core('pods'), ns).create(body as KubeObject)) as TestPod;
  await markPodRunning(env.cp.kubeConfig(), ns, name);
  return pod;
}

async function restore(name: string, spec: RestoreSpec, scheduleTimeoutMs: number): Promise<{ r: Restore; errors: string[] }> {
  const { env, deps } = w();
  await env.client.create<Restore>(PLURALS.Restore, { apiVersion: API_VERSION, kind: 'Restore', metadata: { name }, spec });
  const pv = podVolumeRestorer({ ...deps, restorePodScheduleTimeoutMs: scheduleTimeoutMs });
  const reconciler = restoreReconciler({ cluster: dynamicClusterWriter(env.dynamic), prepareItems: pv.prepareItems, podVolumeRestores: pv.podVolumeRestores, pollMs: 100 });
  const r = await runToEnd<Restore>(PLURALS.Restore, name, (o) => reconciler.reconcile(o, ctx()));
  const store = await w().stores.get('default');
  const results = gunzipJson(await store.get(restoreKeys(name).results)) as { errors?: { skiff?: string[] } };
  return { r, errors: results.errors?.skiff ?? [] };
}

if (kubeTestsEnabled('pod volume backup and restore hooks on the real API server')) {
  test.before(async () => {
    const env = await startAgentKubeEnv();
    const stores = new ObjectStoreCache({ client: env.client, readSecret: (ns, name) => readSecret(env.dynamic, ns, name) });
    const access = new RepositoryAccess({ client: env.client, readSecret: (ns, name) => readSecret(env.dynamic, ns, name), settleMs: 100 });
    const deps: PodVolumeDeps = {
      cluster: kubePodVolumeCluster(env.dynamic, NS),
      client: env.client,
      access,
      objectStore: (n) => stores.get(n),
      log: silentLogger(),
      clock: systemClock,
      pollMs: 100,
      image: 'skiff/skiff:test',
    };
    const agent = await runNodeAgent({ node: 'node-1', hostPods: env.hostPods['node-1'] ?? '', namespace: NS, kubeconfig: env.agentKubeconfig, restoreWaitTimeoutMs: 60_000, progressIntervalMs: 200, log: silentLogger() });
    world = { env, agent, stores, access, deps, dirs: {} };
    for (const ns of ['app', 'app-copy', 'app-sched']) await env.createNamespace(ns);
    await pollUntil('the agent of node-1', async () => (agent.ready() ? true : undefined), { intervalMs: 50 });
  });
  test.after.always(async () => {
    await world?.agent.stop();
    await world?.stores.close();
    await world?.env.stop();
  });

  test.serial('a backup creates PodVolumeBackups for emptyDir and PVC volumes; the node without an agent fails at once; PartiallyFailed with that reason', async (t) => {
    const { env, deps } = w();
    await env.createBoundClaim('app', 'data', 'pv-data');
    const web = await createRunningPod('app', 'web', 'node-1', [{ name: 'cache', emptyDir: {} }, { name: 'data', persistentVolumeClaim: { claimName: 'data' } }, { name: 'cfg', configMap: { name: 'x' } }], { 'backup.skiff.dev/backup-volumes': 'cache,data' });
    await createRunningPod('app', 'lonely', 'node-2', [{ name: 'scratch', emptyDir: {} }], { 'backup.skiff.dev/backup-volumes': 'scratch' });
    const dirs = await createPodVolumeDirs(env.hostPods['node-1'] ?? '', web, { pvNames: { data: 'pv-data' } });
    w().dirs = dirs;
    await writeFile(path.join(dirs['cache'] ?? '', 'hot.txt'), 'cached bytes\n');
    await writeFile(path.join(dirs['data'] ?? '', 'table.db'), Buffer.alloc(300_000, 42), { mode: 0o600 });

    await env.client.create<Backup>(PLURALS.Backup, { apiVersion: API_VERSION, kind: 'Backup', metadata: { name: 'b1' }, spec: { includedNamespaces: ['app'] } });
    const reconciler = backupReconciler({ clusterReader: dynamicClusterReader(env.dynamic), podVolumeBackups: podVolumeBackupHook(deps) });
    const b = await runToEnd<Backup>(PLURALS.Backup, 'b1', (o) => reconciler.reconcile(o, ctx()));
    t.is(b.status?.phase, 'PartiallyFailed', JSON.stringify(b.status));
    t.is(b.status?.errors, 1);

    const pvbs = await env.client.list<PodVolumeBackup>(PLURALS.PodVolumeBackup, { labelSelector: `skiff.dev/backup-uid=${b.metadata.uid ?? ''}` });
    const by = new Map(pvbs.map((p) => [p.spec.volume, p]));
    t.deepEqual([...by.keys()].sort(), ['cache', 'data', 'scratch']);
    const pvcUid = (await env.dynamic.resource(core('persistentvolumeclaims'), 'app').get('data'))?.metadata.uid ?? '';
    const cache = by.get('cache');
    t.is(cache?.status?.phase, 'Completed', cache?.status?.message);
    t.is(cache?.status?.path, dirs['cache']);
    t.is(cache?.spec.tags?.['identity'], 'app/Pod/web/cache');
    t.deepEqual(cache?.spec.pod, { kind: 'Pod', namespace: 'app', name: 'web', uid: web.metadata.uid });
    t.is(cache?.metadata.labels?.['skiff.dev/node'], 'node-1');
    t.is(cache?.metadata.ownerReferences?.[0]?.uid, b.metadata.uid);
    t.is(cache?.spec.repoIdentifier, env.repoUrl('app'));
    const data = by.get('data');
    t.is(data?.status?.phase, 'Completed', data?.status?.message);
    t.is(data?.spec.tags?.['identity'], pvcUid);
    t.is(data?.metadata.labels?.['skiff.dev/pvc-uid'], pvcUid);
    const scratch = by.get('scratch');
    t.is(scratch?.status?.phase, 'Failed');
    t.is(scratch?.status?.message, 'no node agent is running on node node-2');

    const store = await w().stores.get('default');
    const results = gunzipJson(await store.get(backupKeys('b1').results)) as { errors?: { skiff?: string[] } };
    t.deepEqual(results.errors?.skiff, [`volume scratch of pod app/lonely (PodVolumeBackup ${scratch?.metadata.name ?? ''}) failed: no node agent is running on node node-2`]);
    const listed = gunzipJson(await store.get(backupKeys('b1').podVolumeBackups)) as PodVolumeBackup[];
    t.deepEqual(listed.map((p) => `${p.spec.volume}=${p.status?.phase ?? ''}`).sort(), ['cache=Completed', 'data=Completed', 'scratch=Failed']);
    t.truthy(await env.client.get<BackupRepository>(PLURALS.BackupRepository, 'app-default-restic'));
  });

  test.serial('a restored pod that is never scheduled: restore-wait first, claim unbound, PartiallyFailed with the schedule timeout', async (t) => {
    const { env } = w();
    const started = Date.now();
    const { r, errors } = await restore('r-nosched', { backupName: 'b1', namespaceMapping: { app: 'app-copy' } }, 2000);
    t.true(Date.now() - started < 60_000);
    t.is(r.status?.phase, 'PartiallyFailed', JSON.stringify(r.status));
    t.deepEqual(errors.filter((e) => e.includes('scheduled')).sort(), [
      'volume cache of pod app-copy/web was not restored: pod app-copy/web was not scheduled within 2s',
      'volume data of pod app-copy/web was not restored: pod app-copy/web was not scheduled within 2s',
    ]);
    const pod = (await env.dynamic.resource(core('pods'), 'app-copy').get('web')) as TestPod | undefined;
    const first = pod?.spec?.initContainers?.[0];
    t.is(first?.name, 'restore-wait');
    t.deepEqual(first?.command, ['skiff', 'restore-helper', r.metadata.uid ?? '']);
    t.deepEqual(first?.volumeMounts?.map((m) => m.mountPath), ['/restores/cache', '/restores/data']);
    const lonely = (await env.dynamic.resource(core('pods'), 'app-copy').get('lonely')) as TestPod | undefined;
    t.is(lonely?.spec?.initContainers, undefined, 'a pod whose volume backup failed waits for nothing');
    const pvc = (await env.dynamic.resource(core('persistentvolumeclaims'), 'app-copy').get('data')) as (KubeObject & { spec?: { volumeName?: string } }) | undefined;
    t.truthy(pvc);
    t.is(pvc?.spec?.volumeName, undefined, 'a fresh volume is to be provisioned for the restored data');
    t.deepEqual(await env.client.list(PLURALS.PodVolumeRestore), []);
  });

  test.serial('a restored pod scheduled on the agent\'s node gets its data back through PodVolumeRestores: Completed', async (t) => {
    const { env } = w();
    const kc = env.cp.kubeConfig();
    // play scheduler and provisioner once the restore has created the pod
    const helper = (async () => {
      const pod = await pollUntil('restored pod app-sched/web', async () => (await env.dynamic.resource(core('pods'), 'app-sched').get('web')) as TestPod | undefined, { intervalMs: 100, timeoutMs: 60_000 });
      await env.dynamic.resource(core('persistentvolumes')).create({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: 'pv-sched' },
        spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], csi: { driver: 'csi.example.com', volumeHandle: 'pv-sched' }, claimRef: { namespace: 'app-sched', name: 'data' } },
      } as KubeObject);
      const pvcs = env.dynamic.resource(core('persistentvolumeclaims'), 'app-sched');
      await pvcs.patch('data', { spec: { volumeName: 'pv-sched' } });
      await pvcs.patch('data', { status: { phase: 'Bound' } }, { subresource: 'status' });
      const dirs = await createPodVolumeDirs(env.hostPods['node-1'] ?? '', pod, { pvNames: { data: 'pv-sched' } });
      await bindPod(kc, 'app-sched', 'web', 'node-1');
      return dirs;
    })();
    const { r, errors } = await restore('r-sched', { backupName: 'b1', namespaceMapping: { app: 'app-sched' } }, 60_000);
    const dirs = await helper;
    t.deepEqual(errors, []);
    t.is(r.status?.phase, 'Completed', JSON.stringify(r.status));
    const pvrs = await env.client.list<PodVolumeRestore>(PLURALS.PodVolumeRestore, { labelSelector: `skiff.dev/restore-uid=${r.metadata.uid ?? ''}` });
    t.deepEqual(pvrs.map((p) => `${p.spec.volume}:${p.status?.phase ?? ''}:${p.spec.sourceNamespace ?? ''}`).sort(), ['cache:Completed:app', 'data:Completed:app']);
    t.is(await readFile(path.join(dirs['cache'] ?? '', 'hot.txt'), 'utf8'), 'cached bytes\n');
    t.deepEqual(await readFile(path.join(dirs['data'] ?? '', 'table.db')), Buffer.alloc(300_000, 42));
    t.is((await stat(path.join(dirs['data'] ?? '', 'table.db'))).mode & 0o777, 0o600);
    for (const v of ['cache', 'data']) t.true((await stat(path.join(dirs[v] ?? '', '.skiff', r.metadata.uid ?? ''))).isFile(), `done file in ${v}`);
  });

  test.serial('the BackupRepository reconciler: Ready, prune on schedule (injected clock), NotReady on a wrong password, a new namespace initialized', async (t) => {
    const { env, access } = w();
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const reconciler = backupRepositoryReconciler({ access });
    const reconcile = async (name: string) => reconciler.reconcile((await env.client.get<BackupRepository>(PLURALS.BackupRepository, name)) as BackupRepository, ctx(clock));
    const get = async (name: string) => (await env.client.get<BackupRepository>(PLURALS.BackupRepository, name)) as BackupRepository;

    const first = await reconcile('app-default-restic');
    let repo = await get('app-default-restic');
    t.is(repo.status?.phase, 'Ready', repo.status?.message);
    t.is(repo.status?.lastMaintenanceTime, '2030-01-01T00:00:00Z');
    t.is(repo.status?.recentMaintenance?.[0]?.result, 'Succeeded', repo.status?.recentMaintenance?.[0]?.message);
    t.is(first?.requeueAfterMs, 168 * 3_600_000);
    clock.advance(168 * 3_600_000);
    await reconcile('app-default-restic');
    repo = await get('app-default-restic');
    t.is(repo.status?.lastMaintenanceTime, '2030-01-08T00:00:00Z');
    t.is(repo.status?.recentMaintenance?.length, 2);
    await access.withRepository('default', 'app', { create: false }, async ({ repo: r }) => {
      t.deepEqual((await check(r, { readData: true })).problems, []);
      t.is((await listSnapshots(r)).length, 2, 'prune kept every snapshot');
    });

    await env.setRepositoryPassword('not the password');
    await reconcile('app-default-restic');
    repo = await get('app-default-restic');
    t.is(repo.status?.phase, 'NotReady');
    t.regex(repo.status?.message ?? '', /wrong password or no key found for s3:/);
    t.false((repo.status?.message ?? '').includes('not the password'));
    await env.setRepositoryPassword('integration repository password');
    await reconcile('app-default-restic');
    t.is((await get('app-default-restic')).status?.phase, 'Ready');

    await env.client.create(PLURALS.BackupRepository, { apiVersion: API_VERSION, kind: 'BackupRepository', metadata: { name: 'fresh-default-restic' }, spec: { volumeNamespace: 'fresh', backupStorageLocation: 'default', resticIdentifier: env.repoUrl('fresh') } } as BackupRepository);
    await reconcile('fresh-default-restic');
    t.is((await get('fresh-default-restic')).status?.phase, 'Ready');
    const store = await w().stores.get('default');
    t.true(await store.exists('fsb/fresh/config'), 'initialized under <prefix>/fsb/<namespace>');
  });

  test.serial('deleting the backup forgets its volume snapshots in fsb/app; the repository stays clean', async (t) => {
    const { env, access, deps } = w();
    const b1 = (await env.client.get<Backup>(PLURALS.Backup, 'b1')) as Backup;
    await volumeSnapshotDeleter(deps)(b1, ctx());
    await access.withRepository('default', 'app', { create: false }, async ({ repo }) => {
      t.deepEqual(await listSnapshots(repo), []);
      t.deepEqual((await check(repo, { readData: true })).problems, []);
    });
  });

  // concurrent, so it runs after the serial tests: the repositories pruned and forgotten above
  testWithRestic('restic 0.18 check --read-data is clean on the repositories the hooks and the reconciler wrote', '0.18', async (t, restic) => {
    const { s3 } = w().env;
    const renv = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };
    for (const ns of ['app', 'fresh']) {
      const r = await restic.run(['-r', w().env.repoUrl(ns), '--no-lock', 'check', '--read-data'], { password: 'integration repository password', env: renv });
      t.regex(r.stdout, /no errors were found/, ns);
    }
  });
}
