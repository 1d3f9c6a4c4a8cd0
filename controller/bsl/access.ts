import { PLURALS, type BackupStorageLocation } from '../../crds/index.ts';
import type { SkiffClient } from '../runtime/types.ts';

/**
 * Whether new data may be written to the location: `accessMode` ReadWrite (the default). A ReadOnly
 * location blocks new backups, backup deletion, garbage collection and repository maintenance, and
 * still serves restores and downloads.
 */
export function isWritable(bsl: BackupStorageLocation): boolean {
  return (bsl.spec.accessMode ?? 'ReadWrite') !== 'ReadOnly';
}

/** Whether the last validation found the location reachable. */
export function isAvailable(bsl: BackupStorageLocation): boolean {
  return bsl.status?.phase === 'Available';
}

/** The message a writer gives when refusing a ReadOnly location, e.g. `backup storage location x is ReadOnly`. */
export function readOnlyMessage(bsl: BackupStorageLocation): string {
  return `backup storage location ${bsl.metadata.name ?? ''} is ReadOnly`;
}

/**
 * The default location, as Velero picks it: the one with `spec.default: true` (the first by name
 * if several claim it), else the one named `default`; undefined when there is none.
 */
export async function defaultBsl(client: SkiffClient): Promise<BackupStorageLocation | undefined> {
  const all = await client.list<BackupStorageLocation>(PLURALS.BackupStorageLocation);
  const marked = all.filter((b) => b.spec.default === true).sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  return marked[0] ?? all.find((b) => b.metadata.name === 'default');
}
