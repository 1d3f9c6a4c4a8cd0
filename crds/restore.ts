import type { Duration, LabelSelector, SkiffObject, Timestamp } from './meta.ts';

export const RESTORE_PHASES = ['New', 'FailedValidation', 'InProgress', 'Completed', 'PartiallyFailed', 'Failed'] as const;
export type RestorePhase = (typeof RESTORE_PHASES)[number];

export const EXISTING_RESOURCE_POLICIES = ['none', 'update'] as const;
export type ExistingResourcePolicy = (typeof EXISTING_RESOURCE_POLICIES)[number];

/** Field names and meanings follow Velero's RestoreSpec. Exactly one of backupName and scheduleName. */
export interface RestoreSpec {
  backupName?: string;
  scheduleName?: string;
  includedNamespaces?: string[] | null;
  excludedNamespaces?: string[] | null;
  includedResources?: string[] | null;
  excludedResources?: string[] | null;
  includeClusterResources?: boolean | null;
  labelSelector?: LabelSelector | null;
  orLabelSelectors?: LabelSelector[] | null;
  /** Source namespace → target namespace. */
  namespaceMapping?: Record<string, string>;
  restorePVs?: boolean | null;
  preserveNodePorts?: boolean | null;
  existingResourcePolicy?: ExistingResourcePolicy;
  itemOperationTimeout?: Duration;
}

export interface RestoreStatus {
  phase?: RestorePhase;
  validationErrors?: string[] | null;
  warnings?: number;
  errors?: number;
  failureReason?: string;
  startTimestamp?: Timestamp | null;
  completionTimestamp?: Timestamp | null;
  progress?: { totalItems?: number; itemsRestored?: number } | null;
}

export type Restore = SkiffObject<'Restore', RestoreSpec, RestoreStatus>;
