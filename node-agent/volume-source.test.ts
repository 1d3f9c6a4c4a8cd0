import test from 'ava';
import { isCode } from '../repository/index.ts';
import { findPod, volumeSourceOf, type ClusterReads, type PodObject, type PvcObject, type PvObject } from './volume-source.ts';

function reads(objs: { pods?: PodObject[]; pvcs?: (PvcObject & { ns: string })[]; pvs?: PvObject[] }): ClusterReads {
  return {
    getPod: async (ns, name) => objs.pods?.find((p) => p.metadata.namespace === ns && p.metadata.name === name),
    getPvc: async (ns, name) => objs.pvcs?.find((p) => p.ns === ns && p.metadata.name === name),
    getPv: async (name) => objs.pvs?.find((p) => p.metadata.name === name),
  };
}

const pod: PodObject = {
  metadata: { name: 'web-1', namespace: 'shop', uid: 'uid-web-1' },
  spec: {
    nodeName: 'node-1',
    volumes: [
      { name: 'cache' },
      { name: 'scratch', csi: { driver: 'inline.csi.example.com' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } },
      { name: 'shared', persistentVolumeClaim: { claimName: 'shared' } },
      { name: 'migrated', persistentVolumeClaim: { claimName: 'old-ebs' } },
      { name: 'pending', persistentVolumeClaim: { claimName: 'not-bound' } },
      { name: 'raw', persistentVolumeClaim: { claimName: 'raw' } },
      { name: 'host', hostPath: { path: '/var/log' } },
      { name: 'hostpv', persistentVolumeClaim: { claimName: 'on-host' } },
    ],
  },
};
const bound = (ns: string, name: string, pv: string, extra: Partial<PvcObject['spec']> = {}) => ({
  ns,
  metadata: { name },
  spec: { volumeName: pv, ...extra },
  status: { phase: 'Bound' },
});
const cluster = reads({
  pods: [pod],
  pvcs: [
    bound('shop', 'data-web-1', 'pvc-1111'),
    bound('shop', 'shared', 'nfs-pv'),
    bound('shop', 'old-ebs', 'pv-ebs'),
    { ns: 'shop', metadata: { name: 'not-bound' }, spec: {}, status: { phase: 'Pending' } },
    bound('shop', 'raw', 'pv-raw', { volumeMode: 'Block' }),
    bound('shop', 'on-host', 'pv-host'),
  ],
  pvs: [
    { metadata: { name: 'pvc-1111' }, spec: { csi: { driver: 'ebs.csi.aws.com' } } },
    { metadata: { name: 'nfs-pv' }, spec: {} },
    { metadata: { name: 'pv-ebs', annotations: { 'pv.kubernetes.io/migrated-to': 'ebs.csi.aws.com' } }, spec: {} },
    { metadata: { name: 'pv-raw' }, spec: { csi: {} } },
    { metadata: { name: 'pv-host' }, spec: { hostPath: {} } },
  ],
});

test('pod volumes, inline CSI, CSI PVs, in-tree PVs and migrated PVs map to the kubelet directory kinds', async (t) => {
  t.deepEqual(await volumeSourceOf(cluster, pod, 'cache'), { podUid: 'uid-web-1', source: { kind: 'pod', volumeName: 'cache', csi: false } });
  t.deepEqual((await volumeSourceOf(cluster, pod, 'scratch')).source, { kind: 'pod', volumeName: 'scratch', csi: true });
  t.deepEqual(await volumeSourceOf(cluster, pod, 'data'), { podUid: 'uid-web-1', source: { kind: 'pv', pvName: 'pvc-1111', csi: true }, pvc: 'data-web-1' });
  t.deepEqual((await volumeSourceOf(cluster, pod, 'shared')).source, { kind: 'pv', pvName: 'nfs-pv', csi: false });
  t.deepEqual((await volumeSourceOf(cluster, pod, 'migrated')).source, { kind: 'pv', pvName: 'pv-ebs', csi: true });
});

test('what may still appear is NotFound; what never will is a clear permanent error', async (t) => {
  const pending = await t.throwsAsync(volumeSourceOf(cluster, pod, 'pending'));
  t.true(isCode(pending, 'NotFound'));
  t.regex(pending!.message, /PersistentVolumeClaim shop\/not-bound of volume pending of pod shop\/web-1 is not bound yet \(phase Pending\)/);
  const missing = await t.throwsAsync(volumeSourceOf(cluster, { ...pod, spec: { volumes: [{ name: 'x', persistentVolumeClaim: { claimName: 'gone' } }] } }, 'x'));
  t.true(isCode(missing, 'NotFound'));
  for (const [vol, re] of [
    ['nope', /pod shop\/web-1 has no volume nope/],
    ['host', /hostPath volume/],
    ['hostpv', /hostPath PersistentVolume pv-host/],
    ['raw', /block volume/],
  ] as const) {
    const err = await t.throwsAsync(volumeSourceOf(cluster, pod, vol));
    t.true(isCode(err, 'Config'), vol);
    t.regex(err!.message, re);
  }
});

test('findPod checks the UID and the node; an unscheduled pod may still be scheduled', async (t) => {
  t.is((await findPod(cluster, { namespace: 'shop', name: 'web-1', uid: 'uid-web-1' }, 'node-1')).metadata.uid, 'uid-web-1');
  t.is((await findPod(cluster, { namespace: 'shop', name: 'web-1' }, 'node-1')).metadata.name, 'web-1');
  const recreated = await t.throwsAsync(findPod(cluster, { namespace: 'shop', name: 'web-1', uid: 'old-uid' }, 'node-1'));
  t.true(isCode(recreated, 'Conflict'));
  t.regex(recreated!.message, /pod shop\/web-1 was re-created \(UID uid-web-1, this work is for UID old-uid\)/);
  const elsewhere = await t.throwsAsync(findPod(cluster, { namespace: 'shop', name: 'web-1' }, 'node-2'));
  t.regex(elsewhere!.message, /runs on node node-1, not on this agent's node node-2/);
  const gone = await t.throwsAsync(findPod(cluster, { namespace: 'shop', name: 'web-9' }, 'node-1'));
  t.true(isCode(gone, 'NotFound'));
  const unscheduled = reads({ pods: [{ metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: {} }] });
  const err = await t.throwsAsync(findPod(unscheduled, { namespace: 'ns', name: 'p' }, 'node-1'));
  t.true(isCode(err, 'NotFound'));
  t.regex(err!.message, /not scheduled to a node yet/);
});
