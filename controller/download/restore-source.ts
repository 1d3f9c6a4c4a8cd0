import { LABELS, type Restore } from '../../crds/index.ts';
import { labelValue } from '../schedule/index.ts';

/**
 * The name of the backup a restore reads: `spec.backupName`, else (a restore from a schedule's
 * latest backup) the `skiff.dev/backup-name` label the restore controller sets when it starts.
 * Undefined while neither is known.
 */
export function restoreBackupName(restore: Restore): string | undefined {
  const named = restore.spec.backupName;
  if (named !== undefined && named !== '') return named;
  const label = restore.metadata.labels?.[LABELS.backupName];
  return label !== undefined && label !== '' ? label : undefined;
}

/** Whether `restore` read backup `backup` (by name, or by label value for long names). */
export function isRestoreOf(restore: Restore, backup: string): boolean {
  const named = restore.spec.backupName;
  if (named !== undefined && named !== '') return named === backup;
  return restore.metadata.labels?.[LABELS.backupName] === labelValue(backup);
}
