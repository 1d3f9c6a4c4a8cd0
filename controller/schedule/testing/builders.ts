/** Builders for the custom resources lifecycle tests use, and a helper that stores them with status. */
import {
  API_VERSION,
  type Backup,
  type BackupStatus,
  type BackupStorageLocation,
  type BackupStorageLocationSpec,
  type BackupStorageLocationStatus,
  PLURALS,
  type Restore,
} from '../../../crds/index.ts';
import type { KubeObject, SkiffClient } from '../../runtime/types.ts';

export function backupCr(name: string, status: BackupStatus = { phase: 'Completed' }, opts: { storageLocation?: string; labels?: Record<string, string> } = {}): Backup {
  const b: Backup = {
    apiVersion: API_VERSION,
    kind: 'Backup',
    metadata: { name, labels: opts.labels ?? {} },
    spec: { includedNamespaces: ['app'], storageLocation: opts.storageLocation ?? 'default' },
    status,
  };
  return b;
}

export function bslCr(
  name: string,
  status: BackupStorageLocationStatus = { phase: 'Available' },
  spec: Partial<BackupStorageLocationSpec> = {},
): BackupStorageLocation {
  return {
    apiVersion: API_VERSION,
    kind: 'BackupStorageLocation',
    metadata: { name },
    spec: { provider: 'aws', objectStorage: { bucket: 'skiff', prefix: name }, accessMode: 'ReadWrite', ...spec },
    status,
  };
}

export function restoreCr(name: string, backupName: string): Restore {
  return { apiVersion: API_VERSION, kind: 'Restore', metadata: { name }, spec: { backupName }, status: { phase: 'Completed' } };
}

/** Creates `obj` (the API server drops `status` on create) and then writes its status. */
export async function put<T extends KubeObject & { status?: object }>(client: SkiffClient, obj: T): Promise<T> {
  const plural = PLURALS[obj.kind as keyof typeof PLURALS];
  const { status, ...rest } = obj;
  const created = await client.create(plural, rest as T);
  if (status === undefined) return created;
  return client.patchStatus<T>(plural, obj.metadata.name ?? '', status);
}
