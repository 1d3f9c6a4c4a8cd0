import test from 'ava';
import type { Backup, OwnerReference, Restore } from '../../crds/index.ts';
import { agentLeaseName, leaseIsLive, noAgentMessage } from './agent-liveness.ts';
import type { Pod } from './core-types.ts';
import { type OwnerLookup, volumeIdentity, workloadOf } from './identity.ts';
import { podVolumeBackupObject, podVolumeRestoreObject, randomSuffix } from './objects.ts';

const ref = (apiVersion: string, kind: string, name: string, controller = true): OwnerReference => ({ apiVersion, kind, name, uid: `uid-${name}`, controller });

function podOwnedBy(...owners: OwnerReference[]): Pod {
  return { metadata: { name: 'web-7d4b9-x2x9q', namespace: 'app', ownerReferences: owners } };
}

/** owners of the objects the lookup knows, by kind/name */
function lookup(table: Record<string, OwnerReference[]>): OwnerLookup & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (r: OwnerReference, ns: string) => {
    calls.push(`${ns}/${r.kind}/${r.name}`);
    return table[`${r.kind}/${r.name}`];
  };
  return Object.assign(fn, { calls });
}

test('a Deployment pod is identified by its Deployment, through its ReplicaSet', async (t) => {
  const l = lookup({ 'ReplicaSet/web-7d4b9': [ref('apps/v1', 'Deployment', 'web')] });
  const w = await workloadOf(podOwnedBy(ref('apps/v1', 'ReplicaSet', 'web-7d4b9')), l);
  t.deepEqual(w, { kind: 'Deployment', name: 'web' });
  t.deepEqual(l.calls, ['app/ReplicaSet/web-7d4b9']);
  t.is(volumeIdentity({ namespace: 'app', volume: 'cache', workload: w }), 'app/Deployment/web/cache');
});

test('a CronJob pod is identified by its CronJob, through its Job', async (t) => {
  const l = lookup({ 'Job/nightly-28000': [ref('batch/v1', 'CronJob', 'nightly')] });
  t.deepEqual(await workloadOf(podOwnedBy(ref('batch/v1', 'Job', 'nightly-28000')), l), { kind: 'CronJob', name: 'nightly' });
});

test('one level only: a bare ReplicaSet, a StatefulSet, and owners that are not controllers', async (t) => {
  const l = lookup({});
  t.deepEqual(await workloadOf(podOwnedBy(ref('apps/v1', 'ReplicaSet', 'lonely')), l), { kind: 'ReplicaSet', name: 'lonely' });
  t.deepEqual(await workloadOf(podOwnedBy(ref('apps/v1', 'StatefulSet', 'db')), l), { kind: 'StatefulSet', name: 'db' });
  t.deepEqual(l.calls, ['app/ReplicaSet/lonely'], 'only ReplicaSets and Jobs are followed');
  t.deepEqual(await workloadOf(podOwnedBy(ref('v1', 'Node', 'n1', false)), l), { kind: 'Pod', name: 'web-7d4b9-x2x9q' });
  t.deepEqual(await workloadOf({ metadata: { name: 'solo', namespace: 'app' } }, l), { kind: 'Pod', name: 'solo' });
});

test('a ReplicaSet of another group, or a lookup that fails, stops at the pod\'s own controller', async (t) => {
  const failing: OwnerLookup = async () => {
    throw new Error('forbidden');
  };
  t.deepEqual(await workloadOf(podOwnedBy(ref('apps/v1', 'ReplicaSet', 'web-1')), failing), { kind: 'ReplicaSet', name: 'web-1' });
  const l = lookup({ 'ReplicaSet/x': [ref('example.com/v1', 'Deployment', 'fake')] });
  t.deepEqual(await workloadOf(podOwnedBy(ref('apps/v1', 'ReplicaSet', 'x')), l), { kind: 'ReplicaSet', name: 'x' });
});

test('PVC volumes are identified by the PVC UID whatever the pod', (t) => {
  t.is(volumeIdentity({ namespace: 'app', volume: 'data', pvcUid: '1b4e28ba-2fa1', workload: { kind: 'Pod', name: 'p' } }), '1b4e28ba-2fa1');
  t.is(volumeIdentity({ namespace: 'app', volume: 'data', workload: { kind: 'Pod', name: 'p' } }), 'app/Pod/p/data');
});

const backup = { apiVersion: 'skiff.dev/v1', kind: 'Backup', metadata: { name: 'nightly', uid: 'b-uid' }, spec: {} } as Backup;

test('PodVolumeBackup objects follow the protocol: name, labels, owner, spec and tags', (t) => {
  const pvb = podVolumeBackupObject({
    backup,
    pod: { namespace: 'app', name: 'db-0', uid: 'p-uid' },
    node: 'node-2',
    volume: 'data',
    backupStorageLocation: 'default',
    repoIdentifier: 's3:http://127.0.0.1:9000/skiff/c/fsb/app',
    identity: 'pvc-uid-1',
    pvc: { name: 'data-db-0', uid: 'pvc-uid-1' },
    suffix: 'a1b2c',
  });
  t.is(pvb.metadata.name, 'nightly-a1b2c');
  t.deepEqual(pvb.metadata.labels, { 'skiff.dev/backup-name': 'nightly', 'skiff.dev/backup-uid': 'b-uid', 'skiff.dev/node': 'node-2', 'skiff.dev/pvc-uid': 'pvc-uid-1' });
  t.deepEqual(pvb.metadata.annotations, { 'skiff.dev/pvc-name': 'data-db-0' });
  t.deepEqual(pvb.metadata.ownerReferences, [{ apiVersion: 'skiff.dev/v1', kind: 'Backup', name: 'nightly', uid: 'b-uid', controller: true }]);
  t.deepEqual(pvb.spec, {
    node: 'node-2',
    pod: { kind: 'Pod', namespace: 'app', name: 'db-0', uid: 'p-uid' },
    volume: 'data',
    backupStorageLocation: 'default',
    repoIdentifier: 's3:http://127.0.0.1:9000/skiff/c/fsb/app',
    uploaderType: 'restic',
    tags: { backup: 'nightly', 'backup-uid': 'b-uid', ns: 'app', pod: 'db-0', volume: 'data', identity: 'pvc-uid-1', 'pvc-uid': 'pvc-uid-1' },
  });
  const local = podVolumeBackupObject({ backup, pod: { namespace: 'app', name: 'w', uid: 'u' }, node: 'n', volume: 'cache', backupStorageLocation: 'default', repoIdentifier: 'r', identity: 'app/Deployment/web/cache', suffix: 'zzzzz' });
  t.false('skiff.dev/pvc-uid' in (local.metadata.labels ?? {}));
  t.is(local.metadata.annotations, undefined);
  t.false('pvc-uid' in (local.spec.tags ?? {}));
});

test('PodVolumeRestore objects name the restored pod, the source namespace and the snapshot', (t) => {
  const restore = { apiVersion: 'skiff.dev/v1', kind: 'Restore', metadata: { name: 'r1', uid: 'r-uid' }, spec: {} } as Restore;
  const from = podVolumeBackupObject({ backup, pod: { namespace: 'app', name: 'db-0', uid: 'old' }, node: 'n1', volume: 'data', backupStorageLocation: 'default', repoIdentifier: 'repo-url', identity: 'i', suffix: 'aaaaa' });
  from.status = { phase: 'Completed', snapshotID: 'snap1' };
  const pvr = podVolumeRestoreObject({ restore, pod: { namespace: 'app-copy', name: 'db-0', uid: 'new' }, node: 'node-9', from, suffix: 'bbbbb' });
  t.is(pvr.metadata.name, 'r1-bbbbb');
  t.deepEqual(pvr.metadata.labels, { 'skiff.dev/restore-name': 'r1', 'skiff.dev/restore-uid': 'r-uid', 'skiff.dev/node': 'node-9' });
  t.deepEqual(pvr.metadata.ownerReferences, [{ apiVersion: 'skiff.dev/v1', kind: 'Restore', name: 'r1', uid: 'r-uid', controller: true }]);
  t.deepEqual(pvr.spec, {
    pod: { kind: 'Pod', namespace: 'app-copy', name: 'db-0', uid: 'new' },
    volume: 'data',
    backupStorageLocation: 'default',
    repoIdentifier: 'repo-url',
    snapshotID: 'snap1',
    sourceNamespace: 'app',
    uploaderType: 'restic',
  });
});

test('random suffixes are 5 characters of [a-z0-9]', (t) => {
  for (let i = 0; i < 50; i++) t.regex(randomSuffix(), /^[a-z0-9]{5}$/);
  t.is(randomSuffix(() => 0), 'aaaaa');
  t.is(randomSuffix((n) => n - 1), '99999');
});

test('an agent is live while its Lease was renewed less than 40 s ago', (t) => {
  const now = new Date('2024-05-01T12:00:40Z');
  const lease = (renewTime: string | undefined) => ({ metadata: { name: agentLeaseName('node-1') }, spec: { holderIdentity: 'node-1', ...(renewTime === undefined ? {} : { renewTime }) } });
  t.true(leaseIsLive(lease('2024-05-01T12:00:00.500000Z'), now));
  t.false(leaseIsLive(lease('2024-05-01T12:00:00.000000Z'), now));
  t.false(leaseIsLive(lease(undefined), now));
  t.false(leaseIsLive(undefined, now));
  t.is(agentLeaseName('node-1'), 'skiff-node-agent-node-1');
  t.is(noAgentMessage('node-1'), 'no node agent is running on node node-1');
});
