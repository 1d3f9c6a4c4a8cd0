/** The `backup create` flags (shared with `schedule create`) and the BackupSpec they make. */
import type { Command } from 'commander';
import type { BackupSpec } from '../../crds/index.ts';
import { SkiffError } from '../../repository/index.ts';
import { csv, goDuration, keyValues, optionalBool } from './flags.ts';
import { parseLabelSelector, parseOrSelectors } from './selector.ts';

export interface BackupFlags {
  includeNamespaces?: string[];
  excludeNamespaces?: string[];
  includeResources?: string[];
  excludeResources?: string[];
  includeClusterResources?: string | boolean;
  selector?: string;
  orSelector?: string;
  ttl?: string;
  storageLocation?: string;
  defaultVolumesToFsBackup?: string | boolean;
  snapshotVolumes?: string | boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function withBackupSpecFlags(cmd: Command): Command {
  return cmd
    .option('--include-namespaces <list>', 'namespaces to include, comma-separated globs (default *)', csv)
    .option('--exclude-namespaces <list>', 'namespaces to exclude, comma-separated globs', csv)
    .option('--include-resources <list>', 'resources to include (resource or resource.group), comma-separated', csv)
    .option('--exclude-resources <list>', 'resources to exclude, comma-separated', csv)
    .option('--include-cluster-resources [bool]', 'include cluster-scoped resources (default: those the namespaced ones need)')
    .option('-l, --selector <selector>', 'back up only objects matching this label selector')
    .option('--or-selector <selectors>', 'objects matching any of these selectors, joined by " or "')
    .option('--ttl <duration>', 'how long to keep the backup (default 720h on the server)')
    .option('--storage-location <name>', 'backup storage location (default: the default one)')
    .option('--default-volumes-to-fs-backup [bool]', 'back up all pod volumes with the node agent unless excluded')
    .option('--snapshot-volumes [bool]', 'accepted for Velero compatibility; Skiff takes no native snapshots')
    .option('--labels <k=v,...>', 'labels for the object', keyValues)
    .option('--annotations <k=v,...>', 'annotations for the object', keyValues);
}

function set<K extends keyof BackupSpec>(spec: BackupSpec, key: K, v: BackupSpec[K] | undefined): void {
  if (v !== undefined) spec[key] = v;
}

export function backupSpecFrom(f: BackupFlags): BackupSpec {
  if (f.selector !== undefined && f.orSelector !== undefined) {
    throw new SkiffError('Config', 'use either --selector or --or-selector, not both');
  }
  const spec: BackupSpec = {};
  set(spec, 'includedNamespaces', f.includeNamespaces);
  set(spec, 'excludedNamespaces', f.excludeNamespaces);
  set(spec, 'includedResources', f.includeResources);
  set(spec, 'excludedResources', f.excludeResources);
  set(spec, 'includeClusterResources', optionalBool(f.includeClusterResources, 'include-cluster-resources'));
  if (f.selector !== undefined) spec.labelSelector = parseLabelSelector(f.selector);
  if (f.orSelector !== undefined) spec.orLabelSelectors = parseOrSelectors(f.orSelector);
  if (f.ttl !== undefined) spec.ttl = goDuration(f.ttl, 'ttl');
  set(spec, 'storageLocation', f.storageLocation);
  set(spec, 'defaultVolumesToFsBackup', optionalBool(f.defaultVolumesToFsBackup, 'default-volumes-to-fs-backup'));
  set(spec, 'snapshotVolumes', optionalBool(f.snapshotVolumes, 'snapshot-volumes'));
  return spec;
}

/** metadata of a new object from --labels/--annotations. */
export function metaFrom(name: string, namespace: string, f: Pick<BackupFlags, 'labels' | 'annotations'>, extraLabels: Record<string, string> = {}) {
  const labels = { ...f.labels, ...extraLabels };
  return {
    name,
    namespace,
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(f.annotations !== undefined ? { annotations: f.annotations } : {}),
  };
}

/** `<base>-YYYYMMDDhhmmss` in UTC, Velero's default name for backups and restores made from others. */
export function timestampedName(base: string, now: Date = new Date()): string {
  return `${base}-${now.toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
}
