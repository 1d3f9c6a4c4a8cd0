/** `describe` text for Backups, Restores and Schedules, laid out as Velero's. Pure functions. */
import type { Backup, BackupSpec, Restore, Schedule } from '../../crds/index.ts';
import { formatTime, list, mapText } from './print.ts';
import { formatLabelSelector } from './selector.ts';

function header(obj: { metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } }): string[] {
  return [
    `Name:         ${obj.metadata.name ?? ''}`,
    `Namespace:    ${obj.metadata.namespace ?? ''}`,
    `Labels:       ${mapText(obj.metadata.labels)}`,
    `Annotations:  ${mapText(obj.metadata.annotations)}`,
  ];
}

function optBool(v: boolean | null | undefined, unset = 'auto'): string {
  return v === null || v === undefined ? unset : String(v);
}

function selectors(spec: { labelSelector?: BackupSpec['labelSelector']; orLabelSelectors?: BackupSpec['orLabelSelectors'] }): string[] {
  const ors = spec.orLabelSelectors ?? [];
  return [
    `Label selector:  ${formatLabelSelector(spec.labelSelector)}`,
    `Or label selector:  ${ors.length === 0 ? '<none>' : ors.map(formatLabelSelector).join(' or ')}`,
  ];
}

export function backupSpecLines(spec: BackupSpec): string[] {
  return [
    'Namespaces:',
    `  Included:  ${list(spec.includedNamespaces, '*')}`,
    `  Excluded:  ${list(spec.excludedNamespaces)}`,
    '',
    'Resources:',
    `  Included:        ${list(spec.includedResources, '*')}`,
    `  Excluded:        ${list(spec.excludedResources)}`,
    `  Cluster-scoped:  ${optBool(spec.includeClusterResources)}`,
    '',
    ...selectors(spec),
    '',
    `Storage Location:  ${spec.storageLocation ?? '<default>'}`,
    `TTL:  ${spec.ttl ?? '<server default>'}`,
    `Default Volumes to FS Backup:  ${optBool(spec.defaultVolumesToFsBackup, '<server default>')}`,
  ];
}

function problems(status: { validationErrors?: string[] | null; failureReason?: string } | undefined): string[] {
  const v = status?.validationErrors ?? [];
  return [
    ...(v.length > 0 ? ['Validation errors:', ...v.map((m) => `  ${m}`)] : []),
    ...(status?.failureReason ? [`Failure reason:  ${status.failureReason}`] : []),
  ];
}

export function describeBackup(b: Backup, details: string[] = []): string {
  const s = b.status;
  return [
    ...header(b),
    '',
    `Phase:  ${s?.phase ?? 'New'}`,
    ...problems(s),
    '',
    `Errors:    ${s?.errors ?? 0}`,
    `Warnings:  ${s?.warnings ?? 0}`,
    '',
    ...backupSpecLines(b.spec),
    '',
    `Started:    ${formatTime(s?.startTimestamp)}`,
    `Completed:  ${formatTime(s?.completionTimestamp)}`,
    '',
    `Expiration:  ${formatTime(s?.expiration)}`,
    '',
    `Total items to be backed up:  ${s?.progress?.totalItems ?? 0}`,
    `Items backed up:              ${s?.progress?.itemsBackedUp ?? 0}`,
    ...details,
  ].join('\n');
}

export function describeRestore(r: Restore, details: string[] = []): string {
  const s = r.status;
  const sp = r.spec;
  const mapping = Object.entries(sp.namespaceMapping ?? {});
  return [
    ...header(r),
    '',
    `Phase:  ${s?.phase ?? 'New'}`,
    ...problems(s),
    `Total items to be restored:  ${s?.progress?.totalItems ?? 0}`,
    `Items restored:              ${s?.progress?.itemsRestored ?? 0}`,
    '',
    `Started:    ${formatTime(s?.startTimestamp)}`,
    `Completed:  ${formatTime(s?.completionTimestamp)}`,
    '',
    `Errors:    ${s?.errors ?? 0}`,
    `Warnings:  ${s?.warnings ?? 0}`,
    '',
    `Backup:  ${sp.backupName ?? ''}`,
    ...(sp.scheduleName ? [`Schedule:  ${sp.scheduleName}`] : []),
    '',
    'Namespaces:',
    `  Included:  ${list(sp.includedNamespaces, 'all namespaces found in the backup')}`,
    `  Excluded:  ${list(sp.excludedNamespaces)}`,
    '',
    'Resources:',
    `  Included:        ${list(sp.includedResources, '*')}`,
    `  Excluded:        ${list(sp.excludedResources)}`,
    `  Cluster-scoped:  ${optBool(sp.includeClusterResources)}`,
    '',
    `Namespace mappings:  ${mapping.length === 0 ? '<none>' : mapping.map(([a, b]) => `${a}=${b}`).join(', ')}`,
    '',
    ...selectors(sp),
    '',
    `Restore PVs:  ${optBool(sp.restorePVs)}`,
    `Existing Resource Policy:  ${sp.existingResourcePolicy ?? '<none>'}`,
    `Preserve Service NodePorts:  ${optBool(sp.preserveNodePorts)}`,
    ...details,
  ].join('\n');
}

export function describeSchedule(s: Schedule): string {
  return [
    ...header(s),
    '',
    `Phase:  ${s.status?.phase ?? 'New'}`,
    ...problems(s.status),
    '',
    `Paused:  ${s.spec.paused === true}`,
    '',
    `Schedule:  ${s.spec.schedule}`,
    `Skip immediately:  ${optBool(s.spec.skipImmediately, '<server default>')}`,
    '',
    'Backup Template:',
    ...backupSpecLines(s.spec.template).map((l) => (l === '' ? '' : `  ${l}`)),
    '',
    `Last Backup:  ${formatTime(s.status?.lastBackup)}`,
  ].join('\n');
}
