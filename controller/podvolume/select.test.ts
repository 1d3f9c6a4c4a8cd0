import test from 'ava';
import type { Pod, PodVolume } from './core-types.ts';
import { describeSkip, selectVolumes } from './select.ts';

function pod(name: string, opts: { volumes: PodVolume[]; mounts?: string[]; devices?: string[]; annotations?: Record<string, string>; phase?: string; ns?: string; initMounts?: string[] }): Pod {
  return {
    metadata: { name, namespace: opts.ns ?? 'app', uid: `uid-${name}`, ...(opts.annotations === undefined ? {} : { annotations: opts.annotations }) },
    spec: {
      nodeName: 'node-1',
      volumes: opts.volumes,
      containers: [
        {
          name: 'main',
          volumeMounts: (opts.mounts ?? opts.volumes.map((v) => v.name)).map((n) => ({ name: n, mountPath: `/m/${n}` })),
          ...(opts.devices === undefined ? {} : { volumeDevices: opts.devices.map((n) => ({ name: n, devicePath: `/dev/${n}` })) }),
        },
      ],
      ...(opts.initMounts === undefined ? {} : { initContainers: [{ name: 'init', volumeMounts: opts.initMounts.map((n) => ({ name: n, mountPath: `/i/${n}` })) }] }),
    },
    status: { phase: opts.phase ?? 'Running' },
  };
}

const ALL_KINDS: PodVolume[] = [
  { name: 'data', emptyDir: {} },
  { name: 'claim', persistentVolumeClaim: { claimName: 'pvc-1' } },
  { name: 'sec', secret: { secretName: 's' } },
  { name: 'cm', configMap: { name: 'c' } },
  { name: 'proj', projected: { sources: [] } },
  { name: 'down', downwardAPI: { items: [] } },
  { name: 'host', hostPath: { path: '/var/log' } },
  { name: 'default-token-abcde', secret: { secretName: 'default-token-abcde' } },
  { name: 'default-token-x', emptyDir: {} },
  { name: 'nfs', nfs: { server: 'nfs', path: '/export' } },
  { name: 'skip-me', emptyDir: {} },
];

const names = (s: ReturnType<typeof selectVolumes>): string[] => s.selected.map((v) => `${v.pod.metadata.name}/${v.volume.name}`);
const reasons = (s: ReturnType<typeof selectVolumes>): Record<string, string> => Object.fromEntries(s.skipped.map((k) => [`${k.pod}/${k.volume}`, `${k.level}: ${k.reason}`]));

test('opt-in takes exactly the annotated volumes; names not in the pod are warnings', (t) => {
  const p = pod('p', { volumes: ALL_KINDS, annotations: { 'backup.skiff.dev/backup-volumes': 'data, claim,,nfs,ghost' } });
  const s = selectVolumes([p], { defaultVolumesToFsBackup: false });
  t.deepEqual(names(s), ['p/data', 'p/claim', 'p/nfs']);
  t.is(s.selected[1]?.claimName, 'pvc-1');
  t.deepEqual(reasons(s), { 'p/ghost': 'warning: named in backup.skiff.dev/backup-volumes but not a volume of the pod' });
});

test('opt-in without the annotation takes nothing and says nothing', (t) => {
  const s = selectVolumes([pod('p', { volumes: ALL_KINDS })], { defaultVolumesToFsBackup: false });
  t.deepEqual(s, { selected: [], skipped: [] });
});

test('opt-in: an annotated hostPath volume is a warning unless hostPath is allowed', (t) => {
  const p = pod('p', { volumes: ALL_KINDS, annotations: { 'backup.skiff.dev/backup-volumes': 'host' } });
  const s = selectVolumes([p], { defaultVolumesToFsBackup: false });
  t.deepEqual(names(s), []);
  t.regex(reasons(s)['p/host'] ?? '', /^warning: hostPath volumes are not supported/);
  t.deepEqual(names(selectVolumes([p], { defaultVolumesToFsBackup: false, allowHostPath: true })), ['p/host']);
});

test('opt-out takes every volume with data of its own, minus the excludes annotation, each exclusion with its reason', (t) => {
  const p = pod('p', { volumes: ALL_KINDS, annotations: { 'backup.skiff.dev/backup-volumes-excludes': 'skip-me' } });
  const s = selectVolumes([p], { defaultVolumesToFsBackup: true });
  t.deepEqual(names(s), ['p/data', 'p/claim', 'p/nfs']);
  t.deepEqual(reasons(s), {
    'p/sec': 'info: secret volumes hold no data of their own',
    'p/cm': 'info: configMap volumes hold no data of their own',
    'p/proj': 'info: projected volumes hold no data of their own',
    'p/down': 'info: downwardAPI volumes hold no data of their own',
    'p/host': 'info: hostPath volumes are not backed up (not under the kubelet pods directory)',
    'p/default-token-abcde': 'info: secret volumes hold no data of their own',
    'p/default-token-x': 'info: service account token volume',
    'p/skip-me': 'info: excluded by backup.skiff.dev/backup-volumes-excludes',
  });
  t.true(names(selectVolumes([p], { defaultVolumesToFsBackup: true, allowHostPath: true })).includes('p/host'));
});

test('pods that are not running are skipped with a warning per wanted volume', (t) => {
  const p = pod('p', { volumes: ALL_KINDS.slice(0, 3), phase: 'Pending' });
  const s = selectVolumes([p], { defaultVolumesToFsBackup: true });
  t.deepEqual(names(s), []);
  t.deepEqual(reasons(s), {
    'p/data': 'warning: pod is not running (phase Pending)',
    'p/claim': 'warning: pod is not running (phase Pending)',
    'p/sec': 'info: secret volumes hold no data of their own',
  });
  const first = s.skipped[0];
  if (first === undefined) return t.fail('nothing skipped');
  t.is(describeSkip(first), 'volume sec of pod app/p skipped: secret volumes hold no data of their own');
});

test('unmounted and block volumes are skipped with warnings; an init container mount counts', (t) => {
  const volumes: PodVolume[] = [
    { name: 'mounted', emptyDir: {} },
    { name: 'unmounted', emptyDir: {} },
    { name: 'block', persistentVolumeClaim: { claimName: 'raw' } },
    { name: 'init-only', emptyDir: {} },
  ];
  const p = pod('p', { volumes, mounts: ['mounted'], devices: ['block'], initMounts: ['init-only'] });
  const s = selectVolumes([p], { defaultVolumesToFsBackup: true });
  t.deepEqual(names(s), ['p/mounted', 'p/init-only']);
  t.deepEqual(reasons(s), {
    'p/unmounted': 'warning: no container mounts it',
    'p/block': 'warning: block volumes are not supported by file-system backup',
  });
});

test('a PVC mounted by several pods of the backup is taken once, with the first pod; same claim name in another namespace is another PVC', (t) => {
  const shared: PodVolume[] = [{ name: 'shared', persistentVolumeClaim: { claimName: 'rwx' } }];
  const ann = { 'backup.skiff.dev/backup-volumes': 'shared' };
  const s = selectVolumes(
    [pod('a', { volumes: shared, annotations: ann }), pod('b', { volumes: shared, annotations: ann }), pod('c', { volumes: shared, annotations: ann, ns: 'other' })],
    { defaultVolumesToFsBackup: false },
  );
  t.deepEqual(names(s), ['a/shared', 'c/shared']);
  t.deepEqual(reasons(s), { 'b/shared': 'info: PVC app/rwx is already backed up with pod app/a' });
});

test('a PVC first seen on a pod that is not running is still taken with a later running pod', (t) => {
  const shared: PodVolume[] = [{ name: 'shared', persistentVolumeClaim: { claimName: 'rwx' } }];
  const s = selectVolumes([pod('a', { volumes: shared, phase: 'Failed' }), pod('b', { volumes: shared })], { defaultVolumesToFsBackup: true });
  t.deepEqual(names(s), ['b/shared']);
});
