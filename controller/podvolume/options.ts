/** What the pod volume hooks need, and the server-wide defaults they fall back on. */
import { createRequire } from 'node:module';
import { ANNOTATIONS } from '../../crds/index.ts';
import type { RepositoryAccess } from '../repository/index.ts';
import { type ClockWithTimers, type KubeObject, type Logger, type ObjectStore, type SkiffClient, parseGoDuration } from '../runtime/index.ts';
import type { PodVolumeCluster } from './cluster.ts';

export const DEFAULT_FS_BACKUP_TIMEOUT_MS = 4 * 3_600_000;
export const DEFAULT_RESTORE_POD_SCHEDULE_TIMEOUT_MS = 10 * 60_000;

export interface PodVolumeDeps {
  readonly cluster: PodVolumeCluster;
  /** Skiff's objects in the server namespace (PodVolumeBackups/Restores, BackupRepositories) */
  readonly client: SkiffClient;
  readonly access: RepositoryAccess;
  readonly objectStore: (bslName: string) => Promise<ObjectStore>;
  readonly log: Logger;
  readonly clock: ClockWithTimers;
  /** the 5 random [a-z0-9] characters of a new object's name; default crypto-random */
  readonly suffix?: () => string;
  /** how often waits look again; default 1000 ms */
  readonly pollMs?: number;
  /** opt-out mode for backups that do not say (`--default-volumes-to-fs-backup`) */
  readonly defaultVolumesToFsBackup?: boolean;
  readonly allowHostPath?: boolean;
  /** `--fs-backup-timeout`; default 4h */
  readonly fsBackupTimeoutMs?: number;
  /** `--restore-pod-schedule-timeout`; default 10m */
  readonly restorePodScheduleTimeoutMs?: number;
  /** image of the `restore-wait` init container; default `defaultImage()` */
  readonly image?: string;
  /** how long deletion waits for a locked repository; default 60 s */
  readonly lockWaitMs?: number;
}

/** env SKIFF_IMAGE, else `skiff/skiff:<package version>`. */
export function defaultImage(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['SKIFF_IMAGE'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };
  return `skiff/skiff:${pkg.version}`;
}

/**
 * The pod volume timeout of a Backup or Restore: its `skiff.dev/pod-volume-timeout` annotation
 * (a Go duration), else `fallbackMs`. An unreadable annotation falls back too (`problem` says why).
 */
export function podVolumeTimeout(obj: KubeObject, fallbackMs: number): { ms: number; problem?: string } {
  const text = obj.metadata.annotations?.[ANNOTATIONS.podVolumeTimeout];
  if (text === undefined || text === '') return { ms: fallbackMs };
  try {
    const ms = parseGoDuration(text);
    if (ms > 0) return { ms };
  } catch {
    // reported below
  }
  return { ms: fallbackMs, problem: `annotation ${ANNOTATIONS.podVolumeTimeout}=${JSON.stringify(text)} is not a positive duration; using the default` };
}
