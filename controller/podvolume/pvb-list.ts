/**
 * The PodVolumeBackups of a backup, for restores and deletion: from
 * `backups/<name>/<name>-podvolumebackups.json.gz` in the backup's location when it is there
 * (written when the backup finished, so it also serves backups made by another cluster), else
 * from the cluster (label `skiff.dev/backup-name`).
 */
import { type Backup, LABELS, PLURALS, type PodVolumeBackup } from '../../crds/index.ts';
import { SkiffError } from '../../repository/index.ts';
import { backupKeys, gunzipJson } from '../backup/index.ts';
import type { ObjectStore, SkiffClient } from '../runtime/index.ts';
import { labelValue } from './objects.ts';

function isPvbList(v: unknown): v is PodVolumeBackup[] {
  return Array.isArray(v) && v.every((o) => typeof o === 'object' && o !== null && typeof (o as { spec?: unknown }).spec === 'object');
}

export async function loadBackupPodVolumes(client: SkiffClient, store: ObjectStore | undefined, backup: Backup): Promise<PodVolumeBackup[]> {
  const name = backup.metadata.name ?? '';
  const key = backupKeys(name).podVolumeBackups;
  if (store !== undefined && (await store.exists(key))) {
    const parsed = gunzipJson(await store.get(key));
    if (!isPvbList(parsed)) throw new SkiffError('Integrity', `${key} in ${store.location} is not a list of PodVolumeBackups`);
    return parsed;
  }
  const listed = await client.list<PodVolumeBackup>(PLURALS.PodVolumeBackup, { labelSelector: `${LABELS.backupName}=${labelValue(name)}` });
  return listed.filter((p) => (p.spec.tags?.['backup'] ?? name) === name);
}

/** Completed, with a snapshot: what can be restored or forgotten. */
export function withSnapshot(pvbs: readonly PodVolumeBackup[]): PodVolumeBackup[] {
  return pvbs.filter((p) => p.status?.phase === 'Completed' && (p.status.snapshotID ?? '') !== '');
}
