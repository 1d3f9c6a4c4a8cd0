/**
 * Which BackupStorageLocation a backup lives in, and whether lifecycle work (GC, deletion) may
 * touch it: never when it is missing, unreadable, ReadOnly or not Available
 * (velero-reference.md §6.4, §6.6).
 */
import { type Backup, type BackupStorageLocation, PLURALS } from '../../crds/index.ts';
import type { SkiffClient } from '../runtime/types.ts';

/** Velero's `gc-failure` reasons, also used as messages' subjects. */
export type LocationProblem = 'BSLNotFound' | 'BSLCannotGet' | 'BSLReadOnly' | 'BSLUnavailable';

export type LocationCheck =
  | { readonly ok: true; readonly name: string; readonly bsl: BackupStorageLocation }
  | { readonly ok: false; readonly name: string; readonly problem: LocationProblem; readonly message: string };

/** `spec.storageLocation`, or the default location's name when the backup names none. */
export async function backupLocationName(client: SkiffClient, backup: Backup): Promise<string | undefined> {
  const named = backup.spec.storageLocation;
  if (named !== undefined && named !== '') return named;
  const all = await client.list<BackupStorageLocation>(PLURALS.BackupStorageLocation);
  return all.find((l) => l.spec.default === true)?.metadata.name;
}

export function isReadOnly(bsl: BackupStorageLocation): boolean {
  return bsl.spec.accessMode === 'ReadOnly';
}

/**
 * The backup's location when it is writable: ReadWrite and, unless `requireAvailable` is false,
 * phase Available. Otherwise the problem, with a one-line message.
 */
export async function writableLocation(
  client: SkiffClient,
  backup: Backup,
  opts: { requireAvailable?: boolean } = {},
): Promise<LocationCheck> {
  let name: string | undefined;
  let bsl: BackupStorageLocation | undefined;
  try {
    name = await backupLocationName(client, backup);
    if (name !== undefined) bsl = await client.get<BackupStorageLocation>(PLURALS.BackupStorageLocation, name);
  } catch (err) {
    const message = `cannot read backup storage location "${name ?? ''}": ${(err as Error).message}`;
    return { ok: false, name: name ?? '', problem: 'BSLCannotGet', message };
  }
  if (name === undefined) {
    return { ok: false, name: '', problem: 'BSLNotFound', message: 'the backup names no storage location and there is no default one' };
  }
  if (bsl === undefined) return { ok: false, name, problem: 'BSLNotFound', message: `backup storage location "${name}" not found` };
  if (isReadOnly(bsl)) {
    return { ok: false, name, problem: 'BSLReadOnly', message: `backup storage location "${name}" is in read-only mode` };
  }
  if (opts.requireAvailable !== false && bsl.status?.phase !== 'Available') {
    const why = bsl.status?.message !== undefined && bsl.status.message !== '' ? `: ${bsl.status.message}` : '';
    return { ok: false, name, problem: 'BSLUnavailable', message: `backup storage location "${name}" is unavailable${why}` };
  }
  return { ok: true, name, bsl };
}
