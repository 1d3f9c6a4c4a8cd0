import type { Duration, LabelSelector, SkiffObject, Timestamp } from './meta.ts';

export const BACKUP_PHASES = [
  'New',
  'FailedValidation',
  'InProgress',
  'Finalizing',
  'Completed',
  'PartiallyFailed',
  'Failed',
  'Deleting',
] as const;
export type BackupPhase = (typeof BACKUP_PHASES)[number];

export interface ExecHook {
  /** Defaults to the pod's first container. */
  container?: string;
  command: string[];
  onError?: 'Continue' | 'Fail';
  timeout?: Duration;
}

export interface BackupResourceHook {
  exec: ExecHook;
}

export interface BackupResourceHookSpec {
  name: string;
  includedNamespaces?: string[] | null;
  excludedNamespaces?: string[] | null;
  includedResources?: string[] | null;
  excludedResources?: string[] | null;
  labelSelector?: LabelSelector | null;
  pre?: BackupResourceHook[] | null;
  post?: BackupResourceHook[] | null;
}

/** Field names and meanings follow Velero's BackupSpec; also a Schedule's template. */
export interface BackupSpec {
  includedNamespaces?: string[] | null;
  excludedNamespaces?: string[] | null;
  includedResources?: string[] | null;
  excludedResources?: string[] | null;
  /** null: cluster-scoped resources only as needed by the namespaced ones. */
  includeClusterResources?: boolean | null;
  /** Mutually exclusive with orLabelSelectors. */
  labelSelector?: LabelSelector | null;
  orLabelSelectors?: LabelSelector[] | null;
  ttl?: Duration;
  storageLocation?: string;
  defaultVolumesToFsBackup?: boolean | null;
  /** Accepted for Velero compatibility; Skiff takes no native volume snapshots. */
  snapshotVolumes?: boolean | null;
  itemOperationTimeout?: Duration;
  metadata?: { labels?: Record<string, string> };
  hooks?: { resources?: BackupResourceHookSpec[] | null };
}

export interface BackupStatus {
  phase?: BackupPhase;
  validationErrors?: string[] | null;
  version?: number;
  formatVersion?: string;
  startTimestamp?: Timestamp | null;
  completionTimestamp?: Timestamp | null;
  expiration?: Timestamp | null;
  progress?: { totalItems?: number; itemsBackedUp?: number } | null;
  warnings?: number;
  errors?: number;
  failureReason?: string;
  hookStatus?: { hooksAttempted?: number; hooksFailed?: number } | null;
}

export type Backup = SkiffObject<'Backup', BackupSpec, BackupStatus>;

export const SCHEDULE_PHASES = ['New', 'Enabled', 'FailedValidation'] as const;
export type SchedulePhase = (typeof SCHEDULE_PHASES)[number];

export interface ScheduleSpec {
  /** Standard 5-field cron expression, or `@every <duration>`. */
  schedule: string;
  template: BackupSpec;
  paused?: boolean;
  skipImmediately?: boolean | null;
  useOwnerReferencesInBackup?: boolean | null;
}

export interface ScheduleStatus {
  phase?: SchedulePhase;
  lastBackup?: Timestamp | null;
  lastSkipped?: Timestamp | null;
  validationErrors?: string[] | null;
}

export type Schedule = SkiffObject<'Schedule', ScheduleSpec, ScheduleStatus>;
