import test from 'ava';
import { API_VERSION, type Backup, type BackupRepository, PLURALS, type PodVolumeBackup } from '../../crds/index.ts';
import { backupKeys, gunzipJson } from '../backup/index.ts';
import { backupRepositoryObject } from '../repository/index.ts';
import { podVolumeBackupHook } from './backup-hook.ts';
import type { Pod, PodVolume } from './core-types.ts';
import { type MemEnv, memEnv } from './testing/fakes.ts';

function backupOf(name: string, annotations?: Record<string, string>): Backup {
  return { apiVersion: API_VERSION, kind: 'Backup', metadata: { name, uid: `uid-${name}`, ...(annotations === undefined ? {} : { annotations }) }, spec: { storageLocation: 'default' } };
}

function runningPod(name: string, node: string, volumes: PodVolume[], annotations: Record<string, string>, owners?: Pod['metadata']['ownerReferences']): Pod {
  return {
    metadata: { name, namespace: 'app', uid: `pod-${name}`, annotations, ...(owners === undefined ? {} : { ownerReferences: owners }) },
    spec: { nodeName: node, volumes, containers: [{ name: 'c', volumeMounts: volumes.map((v) => ({ name: v.name, mountPath: `/${v.name}` })) }] },
    status: { phase: 'Running' },
  };
}

function setUp(env: MemEnv): void {
  const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5f7', uid: 'rs', controller: true };
  env.cluster.addPod(runningPod('web-5f7-abc', 'node-1', [{ name: 'cache', emptyDir: {} }, { name: 'data', persistentVolumeClaim: { claimName: 'web-data' } }], { 'backup.skiff.dev/backup-volumes': 'cache,data,ghost' }, [rs]));
  env.cluster.owners.set('app/ReplicaSet/web-5f7', [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd', controller: true }]);
  env.cluster.pvcs.set('app/web-data', { metadata: { name: 'web-data', namespace: 'app', uid: 'pvc-uid-1' }, spec: { volumeName: 'pv-1' } });
  env.cluster.pvs.set('pv-1', { metadata: { name: 'pv-1' }, spec: {} });
  env.cluster.addPod(runningPod('lonely', 'node-2', [{ name: 'scratch', emptyDir: {} }], { 'backup.skiff.dev/backup-volumes': 'scratch' }));
  env.cluster.agentOn('node-1', new Date());
}

/** Completes node-1's New PodVolumeBackups, like an agent would, until stopped. */
function fakeAgent(env: MemEnv, node: string, status: (pvb: PodVolumeBackup) => object | undefined): () => void {
  const t = setInterval(() => {
    void env.client.list<PodVolumeBackup>(PLURALS.PodVolumeBackup, { labelSelector: `skiff.dev/node=${node}` }).then(async (all) => {
      for (const pvb of all) {
        const s = pvb.status?.phase === undefined ? status(pvb) : undefined;
        if (s !== undefined) await env.client.patchStatus(PLURALS.PodVolumeBackup, pvb.metadata.name ?? '', s);
      }
    });
  }, 5);
  return () => clearInterval(t);
}

const refs = [
  { namespace: 'app', name: 'web-5f7-abc', uid: 'pod-web-5f7-abc' },
  { namespace: 'app', name: 'lonely', uid: 'pod-lonely' },
  { namespace: 'app', name: 'deleted-meanwhile', uid: 'x' },
];

test('one PodVolumeBackup per selected volume; a node without an agent fails at once; results and the list file', async (t) => {
  const env = await memEnv();
  setUp(env);
  const stop = fakeAgent(env, 'node-1', (pvb) => ({ phase: 'Completed', snapshotID: `snap-${pvb.spec.volume}`, path: '/host_pods/x' }));
  const backup = backupOf('b1');
  let out;
  try {
    out = await podVolumeBackupHook(env.deps)(backup, refs, new AbortController().signal);
  } finally {
    stop();
  }
  const pvbs = await env.client.list<PodVolumeBackup>(PLURALS.PodVolumeBackup);
  const by = new Map(pvbs.map((p) => [p.spec.volume, p]));
  t.is(pvbs.length, 3);
  const url = 's3:http://127.0.0.1:9000/skiff/cluster-a/fsb/app';
  const cache = by.get('cache');
  t.regex(cache?.metadata.name ?? '', /^b1-[a-z0-9]{5}$/);
  t.deepEqual(cache?.metadata.labels, { 'skiff.dev/backup-name': 'b1', 'skiff.dev/backup-uid': 'uid-b1', 'skiff.dev/node': 'node-1' });
  t.deepEqual(cache?.spec.tags, { backup: 'b1', 'backup-uid': 'uid-b1', ns: 'app', pod: 'web-5f7-abc', volume: 'cache', identity: 'app/Deployment/web/cache' });
  t.is(cache?.spec.repoIdentifier, url);
  t.is(cache?.status?.phase, 'Completed');
  const data = by.get('data');
  t.is(data?.metadata.labels?.['skiff.dev/pvc-uid'], 'pvc-uid-1');
  t.is(data?.spec.tags?.['identity'], 'pvc-uid-1');
  t.is(data?.metadata.annotations?.['skiff.dev/pvc-name'], 'web-data');
  const scratch = by.get('scratch');
  t.is(scratch?.spec.node, 'node-2');
  t.is(scratch?.status?.phase, 'Failed');
  t.is(scratch?.status?.message, 'no node agent is running on node node-2');

  t.deepEqual(out.errors, [`volume scratch of pod app/lonely (PodVolumeBackup ${scratch?.metadata.name ?? ''}) failed: no node agent is running on node node-2`]);
  t.deepEqual(out.warnings, ['volume ghost of pod app/web-5f7-abc skipped: named in backup.skiff.dev/backup-volumes but not a volume of the pod']);

  const repo = await env.client.get<BackupRepository>(PLURALS.BackupRepository, 'app-default-restic');
  t.deepEqual(repo?.spec, backupRepositoryObject({ volumeNamespace: 'app', backupStorageLocation: 'default', resticIdentifier: url }).spec);
  t.is(repo?.spec.maintenanceFrequency, '168h0m0s');

  const listed = gunzipJson(env.store.objects.get(backupKeys('b1').podVolumeBackups) ?? Buffer.alloc(0)) as PodVolumeBackup[];
  t.deepEqual(listed.map((p) => `${p.spec.volume}:${p.status?.phase ?? ''}`).sort(), ['cache:Completed', 'data:Completed', 'scratch:Failed']);
});

test('PodVolumeBackups still running at the Backup\'s pod volume timeout are canceled and reported', async (t) => {
  const env = await memEnv();
  setUp(env);
  env.cluster.pods.delete('app/lonely');
  const stop = fakeAgent(env, 'node-1', (pvb) => (pvb.spec.volume === 'cache' ? { phase: 'Completed', snapshotID: 's' } : undefined));
  let out;
  try {
    out = await podVolumeBackupHook(env.deps)(backupOf('b2', { 'skiff.dev/pod-volume-timeout': '200ms' }), refs.slice(0, 1), new AbortController().signal);
  } finally {
    stop();
  }
  const data = (await env.client.list<PodVolumeBackup>(PLURALS.PodVolumeBackup)).find((p) => p.spec.volume === 'data');
  t.true(data?.spec.cancel);
  t.deepEqual(out.errors, [`volume data of pod app/web-5f7-abc (PodVolumeBackup ${data?.metadata.name ?? ''}) did not finish within 0.2s and was canceled`]);
});

test('opt-out mode comes from the Backup, else the server default; a PVC on a hostPath volume is skipped with a warning', async (t) => {
  const env = await memEnv({ deps: { defaultVolumesToFsBackup: true } });
  env.cluster.addPod(runningPod('p', 'node-1', [{ name: 'data', persistentVolumeClaim: { claimName: 'c' } }, { name: 'cfg', configMap: { name: 'x' } }], {}));
  env.cluster.pvcs.set('app/c', { metadata: { name: 'c', namespace: 'app', uid: 'u' }, spec: { volumeName: 'host-pv' } });
  env.cluster.pvs.set('host-pv', { metadata: { name: 'host-pv' }, spec: { hostPath: { path: '/mnt' } } });
  const hook = podVolumeBackupHook(env.deps);
  const out = await hook(backupOf('b3'), [{ namespace: 'app', name: 'p', uid: 'pod-p' }], new AbortController().signal);
  t.deepEqual(out.errors, []);
  t.is(out.warnings.length, 1);
  t.regex(out.warnings[0] ?? '', /^volume data of pod app\/p skipped: PVC app\/c is bound to hostPath PersistentVolume host-pv/);
  const optIn = { ...backupOf('b4'), spec: { storageLocation: 'default', defaultVolumesToFsBackup: false } };
  t.deepEqual(await hook(optIn, [{ namespace: 'app', name: 'p', uid: 'pod-p' }], new AbortController().signal), { errors: [], warnings: [] });
  t.deepEqual(await env.client.list(PLURALS.PodVolumeBackup), []);
});
