/**
 * PodVolumeBackup/Restore objects as the controller creates them (the protocol in README.md):
 * names, labels (`skiff.dev/node` above all), owner references and tags. For tests.
 */
import { API_VERSION, LABELS, type PodReference, type PodVolumeBackup, type PodVolumeRestore } from '../../crds/index.ts';

export interface PvbInput {
  readonly name: string;
  readonly node: string;
  readonly pod: PodReference & { uid: string };
  readonly volume: string;
  readonly backup?: { name: string; uid: string };
  readonly bsl?: string;
  /** default `<ns>/Pod/<pod>/<volume>` */
  readonly identity?: string;
  readonly pvcUid?: string;
  readonly repoIdentifier?: string;
}

export function podVolumeBackup(o: PvbInput): PodVolumeBackup {
  const backup = o.backup ?? { name: 'b1', uid: 'backup-uid-1' };
  const ns = o.pod.namespace;
  return {
    apiVersion: API_VERSION,
    kind: 'PodVolumeBackup',
    metadata: {
      name: o.name,
      labels: {
        [LABELS.backupName]: backup.name,
        [LABELS.backupUid]: backup.uid,
        [LABELS.node]: o.node,
        ...(o.pvcUid === undefined ? {} : { [LABELS.pvcUid]: o.pvcUid }),
      },
    },
    spec: {
      node: o.node,
      pod: { kind: 'Pod', ...o.pod },
      volume: o.volume,
      backupStorageLocation: o.bsl ?? 'default',
      repoIdentifier: o.repoIdentifier ?? `s3:http://s3.invalid/bucket/fsb/${ns}`,
      uploaderType: 'restic',
      tags: {
        backup: backup.name,
        'backup-uid': backup.uid,
        ns,
        pod: o.pod.name,
        volume: o.volume,
        identity: o.identity ?? o.pvcUid ?? `${ns}/Pod/${o.pod.name}/${o.volume}`,
        ...(o.pvcUid === undefined ? {} : { 'pvc-uid': o.pvcUid }),
      },
    },
  };
}

export interface PvrInput {
  readonly name: string;
  readonly node: string;
  readonly pod: PodReference & { uid: string };
  readonly volume: string;
  readonly snapshotID: string;
  readonly restore?: { name: string; uid: string };
  readonly sourceNamespace?: string;
  readonly bsl?: string;
}

export function podVolumeRestore(o: PvrInput): PodVolumeRestore {
  const restore = o.restore ?? { name: 'r1', uid: 'restore-uid-1' };
  return {
    apiVersion: API_VERSION,
    kind: 'PodVolumeRestore',
    metadata: {
      name: o.name,
      labels: { [LABELS.restoreName]: restore.name, [LABELS.restoreUid]: restore.uid, [LABELS.node]: o.node },
      ownerReferences: [{ apiVersion: API_VERSION, kind: 'Restore', name: restore.name, uid: restore.uid, controller: true }],
    },
    spec: {
      pod: { kind: 'Pod', ...o.pod },
      volume: o.volume,
      backupStorageLocation: o.bsl ?? 'default',
      repoIdentifier: `s3:http://s3.invalid/bucket/fsb/${o.sourceNamespace ?? o.pod.namespace}`,
      snapshotID: o.snapshotID,
      uploaderType: 'restic',
      ...(o.sourceNamespace === undefined ? {} : { sourceNamespace: o.sourceNamespace }),
    },
  };
}
