import { ANNOTATIONS, API_VERSION, type Backup, LABELS } from '../../crds/index.ts';
import { SkiffError } from '../../repository/errors/errors.ts';
import { labelValue } from '../schedule/index.ts';

/**
 * Set on Backups that backup sync created from object storage; value: the location's name. Such a
 * Backup is created without status (the API server drops it) and gets the stored status right
 * after, so the backup reconciler must leave a Backup carrying this annotation alone while its
 * `status.phase` is empty: it is a finished backup, not a new one.
 */
export const SYNCED_FROM_ANNOTATION = ANNOTATIONS.syncedFromStorage;

/**
 * The cluster Backup for a `skiff-backup.json` found under `backups/<name>/` of location `bsl`:
 * the stored labels, annotations and spec; `spec.storageLocation` = `bsl` and label
 * skiff.dev/storage-location (Velero's sync does the same). Server-set metadata and owner
 * references (which name objects of the cluster that wrote it) are dropped.
 * Integrity error when the file is not a Backup named `name`.
 */
export function backupFromStorage(raw: Buffer, name: string, bsl: string): Backup {
  let stored: Partial<Backup>;
  try {
    stored = JSON.parse(raw.toString('utf8')) as Partial<Backup>;
  } catch (err) {
    throw new SkiffError('Integrity', `backups/${name}/skiff-backup.json is not JSON`, { cause: err });
  }
  if (stored === null || typeof stored !== 'object' || stored.kind !== 'Backup' || stored.metadata?.name !== name) {
    throw new SkiffError('Integrity', `backups/${name}/skiff-backup.json does not hold Backup "${name}"`);
  }
  const backup: Backup = {
    apiVersion: API_VERSION,
    kind: 'Backup',
    metadata: {
      name,
      labels: { ...stored.metadata.labels, [LABELS.storageLocation]: labelValue(bsl) },
      annotations: { ...stored.metadata.annotations, [SYNCED_FROM_ANNOTATION]: bsl },
    },
    spec: { ...stored.spec, storageLocation: bsl },
  };
  if (stored.status !== undefined) backup.status = stored.status;
  return backup;
}
