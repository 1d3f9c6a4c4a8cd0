/**
 * Runs one backup that is InProgress, from collection to the metadata file, and says how it
 * ended. Writes, in order: `<name>.tar.gz`, (pod volume backups, through the optional hook),
 * `-resource-list.json.gz`, `-results.json.gz`, `-logs.gz`, and last `skiff-backup.json`, so a
 * backup whose metadata exists is complete. On failure everything written under
 * `backups/<name>/` is removed (best effort), except when the backup already existed there.
 */
import type { Backup, BackupStatus } from '../../crds/index.ts';
import { type Clock, type ObjectStore, formatTime } from '../runtime/index.ts';
import type { ClusterReader } from './cluster-reader.ts';
import type { BackupReport } from './report.ts';
import { backupKeys, gzipJson } from './storage-keys.ts';
import { apiVersionOf } from './cluster-reader.ts';
import { ContentsFailure, writeContents } from './write-contents.ts';

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** Backs up the listed pods' volumes and waits for them (the node-agent issue); none yet. */
export type PodVolumeBackupHook = (backup: Backup, pods: readonly PodRef[], signal: AbortSignal) => Promise<{ errors: string[]; warnings: string[] }>;

export interface Progress {
  totalItems: number;
  itemsBackedUp: number;
}

export interface RunBackupInput {
  readonly backup: Backup;
  readonly reader: ClusterReader;
  readonly store: ObjectStore;
  readonly report: BackupReport;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  readonly podVolumeBackups?: PodVolumeBackupHook | undefined;
}

export interface RunOutcome {
  /** the final status, as written into skiff-backup.json (and to be patched) */
  readonly status: BackupStatus;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function runBackup(input: RunBackupInput): Promise<RunOutcome> {
  const { backup, store, report, clock } = input;
  const name = backup.metadata.name ?? '';
  const bsl = backup.spec.storageLocation ?? '';
  const keys = backupKeys(name);
  const progress: Progress = { totalItems: 0, itemsBackedUp: 0 };
  const finish = (extra: Partial<BackupStatus>): RunOutcome => ({
    status: { ...backup.status, completionTimestamp: formatTime(clock.now()), progress: { ...progress }, errors: report.errorCount, warnings: report.warningCount, ...extra },
  });
  const failed = (failureReason: string): RunOutcome => {
    report.error(failureReason);
    return finish({ phase: 'Failed', failureReason });
  };

  try {
    await store.validate();
    if (await store.exists(keys.metadata)) return failed(`backup "${name}" already exists in backup storage location "${bsl}"`);
  } catch (err) {
    return failed(`backup storage location "${bsl}" is unreachable: ${message(err)}`);
  }

  const resourceList = new Map<string, string[]>();
  const pods: PodRef[] = [];
  try {
    report.info(`backing up to ${store.location}`, { storageLocation: bsl });
    const start = Date.parse(backup.status?.startTimestamp ?? '') || clock.now().getTime();
    await writeContents({
      key: keys.contents,
      spec: backup.spec,
      reader: input.reader,
      store,
      log: report,
      signal: input.signal,
      mtimeSeconds: Math.floor(start / 1000),
      onItem: (item) => {
        progress.totalItems++;
        progress.itemsBackedUp++;
        const gvk = `${apiVersionOf(item)}/${item.kind}`;
        const list = resourceList.get(gvk) ?? [];
        list.push(item.namespace === undefined ? item.name : `${item.namespace}/${item.name}`);
        resourceList.set(gvk, list);
        if (item.group === '' && item.resource === 'pods') pods.push({ namespace: item.namespace ?? '', name: item.name, uid: item.object.metadata.uid ?? '' });
        input.onProgress?.(progress);
      },
    });
    report.info(`resources backed up: ${progress.itemsBackedUp} items`);
    if (input.podVolumeBackups !== undefined && pods.length > 0) {
      const r = await input.podVolumeBackups(backup, pods, input.signal);
      for (const e of r.errors) report.error(e);
      for (const w of r.warnings) report.warn(w);
    }
    const phase = report.errorCount > 0 ? 'PartiallyFailed' : 'Completed';
    report.info(`backup ${phase === 'Completed' ? 'completed' : 'partially failed'}`, { errors: report.errorCount, warnings: report.warningCount });
    await store.put(keys.resourceList, gzipJson(Object.fromEntries([...resourceList].sort(([a], [b]) => a.localeCompare(b)))));
    await store.put(keys.results, gzipJson(report.results));
    await store.put(keys.logs, report.logsGz());
    const outcome = finish({ phase });
    await store.put(keys.metadata, Buffer.from(JSON.stringify({ ...backup, status: outcome.status })), { contentType: 'application/json' });
    return outcome;
  } catch (err) {
    let reason: string;
    if (input.signal.aborted) reason = 'the server stopped while the backup was in progress';
    else if (err instanceof ContentsFailure && err.side === 'cluster') reason = `collecting resources failed: ${err.message}`;
    else reason = `writing to backup storage location "${bsl}" failed: ${message(err)}`;
    await store.deletePrefix(keys.dir).catch((e: unknown) => report.warn(`removing the partial backup failed: ${message(e)}`));
    return failed(reason);
  }
}
