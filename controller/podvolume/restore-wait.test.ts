import test from 'ava';
import { API_VERSION, type Backup, PLURALS, type PodVolumeBackup, type PodVolumeRestore, type Restore } from '../../crds/index.ts';
import { backupKeys, gzipJson } from '../backup/index.ts';
import type { BackupItem, JsonObject, RestoredPod } from '../restore/index.ts';
import { podVolumeBackupObject } from './objects.ts';
import { podVolumeRestorer } from './restore-hook.ts';
import { injectRestoreWait, resetClaimBinding, restorableVolumes } from './restore-wait.ts';
import { memEnv } from './testing/fakes.ts';

function podJson(): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'db-0', namespace: 'app' },
    spec: {
      initContainers: [
        { name: 'restore-wait', image: 'old', command: ['skiff', 'restore-helper', 'old-uid'] },
        { name: 'migrate', image: 'app' },
        { name: 'restic-wait', image: 'velero' },
      ],
      containers: [{ name: 'db', image: 'postgres', securityContext: { runAsUser: 999 } }],
      volumes: [
        { name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } },
        { name: 'cache', emptyDir: {} },
        { name: 'info', downwardAPI: { items: [] } },
      ],
    },
  };
}

test('restore-wait goes first, once, with the protocol\'s command, env, mounts, resources and a restricted securityContext', (t) => {
  const pod = podJson();
  injectRestoreWait(pod, { image: 'skiff/skiff:0.1.0', restoreUid: 'r-uid', volumes: ['data', 'cache'] });
  const init = (pod['spec'] as JsonObject)['initContainers'] as JsonObject[];
  t.deepEqual(init.map((c) => c['name']), ['restore-wait', 'migrate']);
  t.deepEqual(init[0], {
    name: 'restore-wait',
    image: 'skiff/skiff:0.1.0',
    imagePullPolicy: 'IfNotPresent',
    command: ['skiff', 'restore-helper', 'r-uid'],
    env: [
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ],
    volumeMounts: [
      { name: 'data', mountPath: '/restores/data' },
      { name: 'cache', mountPath: '/restores/cache' },
    ],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '100m', memory: '128Mi' } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  });
  t.false('args' in (init[0] ?? {}));
  injectRestoreWait(pod, { image: 'skiff/skiff:0.1.0', restoreUid: 'r-uid', volumes: ['data'] });
  t.deepEqual(((pod['spec'] as JsonObject)['initContainers'] as JsonObject[]).map((c) => c['name']), ['restore-wait', 'migrate'], 'injecting twice keeps one');
});

test('a pod with nothing to restore loses stale wait containers and gets none', (t) => {
  const pod = podJson();
  injectRestoreWait(pod, undefined);
  t.deepEqual(((pod['spec'] as JsonObject)['initContainers'] as JsonObject[]).map((c) => c['name']), ['migrate']);
  const bare: JsonObject = { spec: { initContainers: [{ name: 'restore-wait' }], containers: [] } };
  injectRestoreWait(bare, { image: 'i', restoreUid: 'u', volumes: [] });
  t.false('initContainers' in (bare['spec'] as JsonObject));
});

test('only volumes still in the pod, and not projected or downwardAPI, take restored data', (t) => {
  t.deepEqual(restorableVolumes(podJson(), ['data', 'info', 'gone', 'cache']), ['data', 'cache']);
});

test('claims are unbound so a fresh volume is provisioned', (t) => {
  const pvc: JsonObject = {
    metadata: { name: 'data-db-0', annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes', keep: 'me' } },
    spec: { volumeName: 'pvc-123', accessModes: ['ReadWriteOnce'] },
  };
  resetClaimBinding(pvc);
  t.deepEqual(pvc, { metadata: { name: 'data-db-0', annotations: { keep: 'me' } }, spec: { accessModes: ['ReadWriteOnce'] } });
});

const backup = { apiVersion: API_VERSION, kind: 'Backup', metadata: { name: 'b1', uid: 'b-uid' }, spec: { storageLocation: 'default' } } as Backup;
const restore = { apiVersion: API_VERSION, kind: 'Restore', metadata: { name: 'r1', uid: 'r-uid' }, spec: { backupName: 'b1' } } as Restore;

function completedPvb(pod: string, volume: string, suffix: string, pvc?: string, phase = 'Completed'): PodVolumeBackup {
  const o = podVolumeBackupObject({ backup, pod: { namespace: 'app', name: pod, uid: `old-${pod}` }, node: 'n1', volume, backupStorageLocation: 'default', repoIdentifier: 'repo', identity: 'i', ...(pvc === undefined ? {} : { pvc: { name: pvc, uid: `uid-${pvc}` } }), suffix });
  o.status = { phase: phase as 'Completed', ...(phase === 'Completed' ? { snapshotID: `snap-${suffix}` } : {}) };
  return o;
}

function item(groupResource: string, name: string, object: JsonObject): BackupItem {
  return { groupResource, namespace: groupResource === 'persistentvolumes' ? undefined : 'app', name, object };
}

test('the item hook injects restore-wait for the backed-up volumes of a pod, unbinds their claims and skips their volumes', async (t) => {
  const env = await memEnv();
  const list = [completedPvb('db-0', 'data', 'aaaaa', 'data-db-0'), completedPvb('db-0', 'cache', 'bbbbb'), completedPvb('web', 'tmp', 'ccccc', undefined, 'Failed')];
  await env.store.put(backupKeys('b1').podVolumeBackups, gzipJson(list));
  const hook = await podVolumeRestorer(env.deps).prepareItems(restore, backup, env.store);
  if (hook === undefined) return t.fail('no hook');

  const pod = podJson();
  t.is(hook(item('pods', 'db-0', podJson()), pod), undefined);
  const first = ((pod['spec'] as JsonObject)['initContainers'] as JsonObject[])[0];
  t.is(first?.['name'], 'restore-wait');
  t.deepEqual(first?.['command'], ['skiff', 'restore-helper', 'r-uid']);
  t.is(first?.['image'], 'registry.example/skiff:test');
  t.deepEqual((first?.['volumeMounts'] as JsonObject[]).map((m) => m['name']), ['data', 'cache']);

  const web: JsonObject = { metadata: { name: 'web' }, spec: { volumes: [{ name: 'tmp', emptyDir: {} }], containers: [] } };
  hook(item('pods', 'web', web), web);
  t.false('initContainers' in (web['spec'] as JsonObject), 'a failed volume backup has nothing to restore');

  const pvc: JsonObject = { metadata: { name: 'data-db-0' }, spec: { volumeName: 'pv-1' } };
  t.is(hook(item('persistentvolumeclaims', 'data-db-0', pvc), pvc), undefined);
  t.false('volumeName' in (pvc['spec'] as JsonObject));
  const other: JsonObject = { metadata: { name: 'logs' }, spec: { volumeName: 'pv-2' } };
  hook(item('persistentvolumeclaims', 'logs', other), other);
  t.is((other['spec'] as JsonObject)['volumeName'], 'pv-2');

  const pv: JsonObject = { metadata: { name: 'pv-1' }, spec: { claimRef: { namespace: 'app', name: 'data-db-0' }, persistentVolumeReclaimPolicy: 'Retain' } };
  t.regex(hook(item('persistentvolumes', 'pv-1', pv), structuredClone(pv)) ?? '', /claim app\/data-db-0 is restored by file-system restore into a newly provisioned volume/);
  const pv2: JsonObject = { metadata: { name: 'pv-2' }, spec: { claimRef: { namespace: 'app', name: 'logs' } } };
  t.is(hook(item('persistentvolumes', 'pv-2', pv2), structuredClone(pv2)), undefined);
});

test('without the list file, the backup\'s PodVolumeBackups are read from the cluster', async (t) => {
  const env = await memEnv();
  await env.client.create(PLURALS.PodVolumeBackup, completedPvb('db-0', 'cache', 'ddddd'));
  const pvb = (await env.client.list<PodVolumeBackup>(PLURALS.PodVolumeBackup))[0];
  await env.client.patchStatus(PLURALS.PodVolumeBackup, pvb?.metadata.name ?? '', { phase: 'Completed', snapshotID: 'snap' });
  const hook = await podVolumeRestorer(env.deps).prepareItems(restore, backup, env.store);
  const pod = podJson();
  hook?.(item('pods', 'db-0', podJson()), pod);
  t.deepEqual((((pod['spec'] as JsonObject)['initContainers'] as JsonObject[])[0]?.['volumeMounts'] as JsonObject[]).map((m) => m['name']), ['cache']);
});

async function preparedRestorer(env: Awaited<ReturnType<typeof memEnv>>) {
  await env.store.put(backupKeys('b1').podVolumeBackups, gzipJson([completedPvb('db-0', 'data', 'aaaaa', 'data-db-0'), completedPvb('db-0', 'cache', 'bbbbb')]));
  const r = podVolumeRestorer(env.deps);
  const hook = await r.prepareItems(restore, backup, env.store);
  hook?.(item('pods', 'db-0', podJson()), podJson());
  const restored: RestoredPod = { namespace: 'app', name: 'db-0', uid: 'new-uid', sourceNamespace: 'app', backedUp: podJson() };
  env.cluster.addPod({ metadata: { name: 'db-0', namespace: 'app', uid: 'new-uid', labels: { 'skiff.dev/restore-name': 'r1' } }, spec: {} });
  return { r, restored };
}

test('a restored pod that is never scheduled fails its volume restores with the schedule timeout, without PodVolumeRestores', async (t) => {
  const env = await memEnv({ deps: { restorePodScheduleTimeoutMs: 60 } });
  const { r, restored } = await preparedRestorer(env);
  const started = Date.now();
  const out = await r.podVolumeRestores(restore, [restored]);
  t.true(Date.now() - started < 5000);
  t.deepEqual(out?.errors, [
    'volume data of pod app/db-0 was not restored: pod app/db-0 was not scheduled within 0.06s',
    'volume cache of pod app/db-0 was not restored: pod app/db-0 was not scheduled within 0.06s',
  ]);
  t.deepEqual(await env.client.list(PLURALS.PodVolumeRestore), []);
});

test('a scheduled pod on a node without an agent gets Failed PodVolumeRestores at once', async (t) => {
  const env = await memEnv({ deps: { fsBackupTimeoutMs: 60_000 } });
  const { r, restored } = await preparedRestorer(env);
  const p = env.cluster.pods.get('app/db-0');
  if (p?.spec !== undefined) p.spec.nodeName = 'node-7';
  const out = await r.podVolumeRestores(restore, [restored]);
  const pvrs = await env.client.list<PodVolumeRestore>(PLURALS.PodVolumeRestore);
  t.is(pvrs.length, 2);
  for (const pvr of pvrs) {
    t.is(pvr.status?.phase, 'Failed');
    t.is(pvr.status?.node, 'node-7');
    t.is(pvr.metadata.labels?.['skiff.dev/node'], 'node-7');
    t.is(pvr.spec.pod.uid, 'new-uid');
  }
  t.is(out?.errors?.length, 2);
  for (const e of out?.errors ?? []) t.regex(e, /^volume (data|cache) of pod app\/db-0 \(PodVolumeRestore r1-[a-z0-9]{5}\) failed: no node agent is running on node node-7$/);
});

test('with a live agent the PodVolumeRestores are waited for; failures carry the agent\'s message', async (t) => {
  const env = await memEnv({ deps: { fsBackupTimeoutMs: 60_000 } });
  const { r, restored } = await preparedRestorer(env);
  const p = env.cluster.pods.get('app/db-0');
  if (p?.spec !== undefined) p.spec.nodeName = 'node-1';
  env.cluster.agentOn('node-1', new Date());
  const agent = setInterval(() => {
    void env.client.list<PodVolumeRestore>(PLURALS.PodVolumeRestore).then(async (all) => {
      for (const pvr of all) {
        if (pvr.status?.phase !== undefined) continue;
        const ok = pvr.spec.volume === 'cache';
        await env.client.patchStatus(PLURALS.PodVolumeRestore, pvr.metadata.name ?? '', ok ? { phase: 'Completed' } : { phase: 'Failed', message: 'snapshot snap-aaaaa not found' });
      }
    });
  }, 5);
  try {
    const out = await r.podVolumeRestores(restore, [restored]);
    t.is(out?.errors?.length, 1);
    t.regex(out?.errors?.[0] ?? '', /^volume data of pod app\/db-0 \(PodVolumeRestore r1-[a-z0-9]{5}\) failed: snapshot snap-aaaaa not found$/);
    const pvrs = await env.client.list<PodVolumeRestore>(PLURALS.PodVolumeRestore);
    t.deepEqual(pvrs.map((x) => x.spec.snapshotID).sort(), ['snap-aaaaa', 'snap-bbbbb']);
  } finally {
    clearInterval(agent);
  }
});
