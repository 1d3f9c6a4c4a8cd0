/**
 * Backing up and restoring one pod volume with the engine.
 *
 * Incremental chains are keyed by the volume's identity (the PVC UID, or namespace/owner/volume
 * for pod-local volumes), recorded as a snapshot tag, not by the pod's name or UID: a Deployment's
 * pods getting new names keep their chain. The snapshot's host is "skiff".
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  backup,
  listSnapshots,
  loadSnapshot,
  restoreTree,
  type BackupResult,
  type Repository,
  type RestoreResult,
} from '../repository/index.ts';

/** `identity=<volume identity>`: the PodVolumeBackup's `spec.tags.identity`, as a snapshot tag */
export const IDENTITY_TAG_PREFIX = 'identity=';
export const SNAPSHOT_HOST = 'skiff';
/** the directory holding restore done files, in the volume's root */
export const DONE_DIR = '.skiff';

export interface VolumeBackupOptions {
  readonly repo: Repository;
  readonly volumePath: string;
  /** stable identity of the volume across pod re-creation */
  readonly identity: string;
  readonly tags?: readonly string[];
  readonly excludes?: readonly string[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytesDone: number) => void;
}

export function identityTag(identity: string): string {
  return IDENTITY_TAG_PREFIX + identity.replace(/,/g, '_');
}

/** The latest snapshot of this volume identity, the parent of the next backup. */
export async function findVolumeParent(repo: Repository, identity: string): Promise<string | undefined> {
  const tag = identityTag(identity);
  const all = await listSnapshots(repo, { onError: () => undefined });
  return all.filter((s) => (s.snapshot.tags ?? []).includes(tag)).at(-1)?.id;
}

export async function backupVolume(o: VolumeBackupOptions): Promise<BackupResult> {
  await o.repo.loadIndex(o.signal ? { signal: o.signal } : {});
  const parent = await findVolumeParent(o.repo, o.identity);
  return backup(o.repo, {
    paths: ['.'],
    cwd: o.volumePath,
    hostname: SNAPSHOT_HOST,
    tags: [identityTag(o.identity), ...(o.tags ?? [])],
    excludes: [`/${DONE_DIR}`, ...(o.excludes ?? []).map((e) => (e.startsWith('/') ? path.join(o.volumePath, e) : e))],
    ...(parent ? { parent } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onProgress ? { onProgress: (p) => o.onProgress!(p.bytesDone) } : {}),
  });
}

export interface VolumeRestoreOptions {
  readonly repo: Repository;
  readonly snapshotId: string;
  readonly volumePath: string;
  /** the Restore's UID: names the done file the restore helper waits for */
  readonly restoreUid: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytesDone: number, totalBytes: number) => void;
}

/** Writes the snapshot into the volume, then the done file `.skiff/<restore-uid>`. */
export async function restoreVolume(o: VolumeRestoreOptions): Promise<RestoreResult> {
  await o.repo.loadIndex(o.signal ? { signal: o.signal } : {});
  const sn = await loadSnapshot(o.repo, await o.repo.resolveId('snapshot', o.snapshotId));
  const res = await restoreTree(o.repo, sn.snapshot.tree, {
    target: o.volumePath,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onProgress ? { onProgress: (p) => o.onProgress!(p.bytesDone, p.totalBytes) } : {}),
  });
  if (res.warnings.length === 0) await writeDoneFile(o.volumePath, o.restoreUid);
  return res;
}

export async function writeDoneFile(volumePath: string, restoreUid: string): Promise<void> {
  const dir = path.join(volumePath, DONE_DIR);
  await rm(dir, { recursive: true, force: true });
  // writable by everyone: the restore-wait container runs unprivileged and removes the done file
  await mkdir(dir);
  await chmod(dir, 0o777);
  await writeFile(path.join(dir, restoreUid), '');
  await chmod(path.join(dir, restoreUid), 0o666);
}
