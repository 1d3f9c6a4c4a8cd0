import { API_VERSION, type Backup, LABELS, type Schedule } from '../../crds/index.ts';
import { labelValue } from './names.ts';

/**
 * The Backup a schedule's run creates (Velero's `FromSchedule`): `spec` is the template; labels are
 * the template's `metadata.labels` when set, else the schedule's, plus `skiff.dev/schedule-name`;
 * the schedule's annotations; with `useOwnerReferencesInBackup`, a controller owner reference to
 * the schedule so that deleting it lets the garbage collector remove its backups.
 */
export function backupFromSchedule(schedule: Schedule, name: string): Backup {
  const meta = schedule.metadata;
  const scheduleName = meta.name ?? '';
  const templateLabels = schedule.spec.template.metadata?.labels;
  const baseLabels = templateLabels !== undefined && Object.keys(templateLabels).length > 0 ? templateLabels : (meta.labels ?? {});
  const backup: Backup = {
    apiVersion: API_VERSION,
    kind: 'Backup',
    metadata: {
      name,
      labels: { ...baseLabels, [LABELS.scheduleName]: labelValue(scheduleName) },
    },
    spec: structuredClone(schedule.spec.template),
  };
  if (meta.namespace !== undefined) backup.metadata.namespace = meta.namespace;
  const annotations = withoutLastApplied(meta.annotations);
  if (annotations !== undefined) backup.metadata.annotations = annotations;
  if (schedule.spec.useOwnerReferencesInBackup === true && meta.uid !== undefined) {
    backup.metadata.ownerReferences = [
      { apiVersion: API_VERSION, kind: 'Schedule', name: scheduleName, uid: meta.uid, controller: true },
    ];
  }
  return backup;
}

/** kubectl's bookkeeping annotation describes the schedule, not the backup. */
function withoutLastApplied(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  if (annotations === undefined) return undefined;
  const out = { ...annotations };
  delete out['kubectl.kubernetes.io/last-applied-configuration'];
  return Object.keys(out).length > 0 ? out : undefined;
}
