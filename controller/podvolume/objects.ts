/**
 * PodVolumeBackup and PodVolumeRestore objects exactly as the controller↔agent protocol says
 * (issue 6 plan): names `<backup|restore>-<5 random [a-z0-9]>`, the labels agents and restores
 * select by, an ownerReference to the Backup/Restore, and the spec. Pure.
 */
import { randomInt } from 'node:crypto';
import { ANNOTATIONS, API_VERSION, type Backup, LABELS, type PodVolumeBackup, type PodVolumeRestore, type Restore } from '../../crds/index.ts';
import { shortName } from '../repository/index.ts';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** 5 random characters of [a-z0-9]; `pick(n)` returns an integer in [0, n). */
export function randomSuffix(pick: (n: number) => number = (n) => randomInt(n)): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHABET[pick(ALPHABET.length)] ?? 'x';
  return s;
}

/** A label value for a name: names over 63 characters are cut and given a hash suffix. */
export const labelValue = shortName;

function ownerRef(kind: 'Backup' | 'Restore', obj: Backup | Restore): NonNullable<PodVolumeBackup['metadata']['ownerReferences']>[number] {
  return { apiVersion: API_VERSION, kind, name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '', controller: true };
}

export interface PodVolumeBackupInput {
  readonly backup: Backup;
  readonly pod: { readonly namespace: string; readonly name: string; readonly uid: string };
  readonly node: string;
  readonly volume: string;
  readonly backupStorageLocation: string;
  readonly repoIdentifier: string;
  readonly identity: string;
  /** PVC volumes only */
  readonly pvc?: { readonly name: string; readonly uid: string };
  readonly suffix: string;
}

export function podVolumeBackupObject(i: PodVolumeBackupInput): PodVolumeBackup {
  const backupName = i.backup.metadata.name ?? '';
  const backupUid = i.backup.metadata.uid ?? '';
  const tags: Record<string, string> = {
    backup: backupName,
    'backup-uid': backupUid,
    ns: i.pod.namespace,
    pod: i.pod.name,
    volume: i.volume,
    identity: i.identity,
    ...(i.pvc === undefined ? {} : { 'pvc-uid': i.pvc.uid }),
  };
  return {
    apiVersion: API_VERSION,
    kind: 'PodVolumeBackup',
    metadata: {
      name: `${backupName}-${i.suffix}`,
      labels: {
        [LABELS.backupName]: labelValue(backupName),
        [LABELS.backupUid]: backupUid,
        [LABELS.node]: labelValue(i.node),
        ...(i.pvc === undefined ? {} : { [LABELS.pvcUid]: i.pvc.uid }),
      },
      ...(i.pvc === undefined ? {} : { annotations: { [ANNOTATIONS.pvcName]: i.pvc.name } }),
      ownerReferences: [ownerRef('Backup', i.backup)],
    },
    spec: {
      node: i.node,
      pod: { kind: 'Pod', namespace: i.pod.namespace, name: i.pod.name, uid: i.pod.uid },
      volume: i.volume,
      backupStorageLocation: i.backupStorageLocation,
      repoIdentifier: i.repoIdentifier,
      uploaderType: 'restic',
      tags,
    },
  };
}

export interface PodVolumeRestoreInput {
  readonly restore: Restore;
  /** the restored pod (target namespace, new uid) */
  readonly pod: { readonly namespace: string; readonly name: string; readonly uid: string };
  readonly node: string;
  /** the PodVolumeBackup the data comes from (Completed, with a snapshot) */
  readonly from: PodVolumeBackup;
  readonly suffix: string;
}

export function podVolumeRestoreObject(i: PodVolumeRestoreInput): PodVolumeRestore {
  const restoreName = i.restore.metadata.name ?? '';
  return {
    apiVersion: API_VERSION,
    kind: 'PodVolumeRestore',
    metadata: {
      name: `${restoreName}-${i.suffix}`,
      labels: {
        [LABELS.restoreName]: labelValue(restoreName),
        [LABELS.restoreUid]: i.restore.metadata.uid ?? '',
        [LABELS.node]: labelValue(i.node),
      },
      ownerReferences: [ownerRef('Restore', i.restore)],
    },
    spec: {
      pod: { kind: 'Pod', namespace: i.pod.namespace, name: i.pod.name, uid: i.pod.uid },
      volume: i.from.spec.volume,
      backupStorageLocation: i.from.spec.backupStorageLocation,
      repoIdentifier: i.from.spec.repoIdentifier,
      snapshotID: i.from.status?.snapshotID ?? '',
      sourceNamespace: i.from.spec.pod.namespace,
      uploaderType: 'restic',
    },
  };
}
