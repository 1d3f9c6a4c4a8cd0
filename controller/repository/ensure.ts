/**
 * The BackupRepository CR of a (namespace, location): created on first use by whoever needs it
 * (the backup hook, an agent), found again by name afterwards. Creating it does not wait for the
 * reconciler: the repository itself is initialized by whoever opens it first.
 */
import { API_VERSION, type BackupRepository, LABELS, PLURALS } from '../../crds/index.ts';
import { isCode } from '../../repository/index.ts';
import type { SkiffClient } from '../runtime/types.ts';
import { DEFAULT_MAINTENANCE_FREQUENCY, REPOSITORY_TYPE, repositoryName, shortName } from './names.ts';

export interface EnsureRepositoryInput {
  readonly volumeNamespace: string;
  readonly backupStorageLocation: string;
  readonly resticIdentifier: string;
  /** Go duration; default 168h0m0s */
  readonly maintenanceFrequency?: string;
}

export function backupRepositoryObject(input: EnsureRepositoryInput): BackupRepository {
  return {
    apiVersion: API_VERSION,
    kind: 'BackupRepository',
    metadata: {
      name: repositoryName(input.volumeNamespace, input.backupStorageLocation),
      labels: {
        [LABELS.volumeNamespace]: shortName(input.volumeNamespace),
        [LABELS.storageLocation]: shortName(input.backupStorageLocation),
        [LABELS.repositoryType]: REPOSITORY_TYPE,
      },
    },
    spec: {
      volumeNamespace: input.volumeNamespace,
      backupStorageLocation: input.backupStorageLocation,
      repositoryType: REPOSITORY_TYPE,
      resticIdentifier: input.resticIdentifier,
      maintenanceFrequency: input.maintenanceFrequency ?? DEFAULT_MAINTENANCE_FREQUENCY,
    },
  };
}

/** Returns the CR, creating it when absent (idempotent; safe when someone else creates it at the same time). */
export async function ensureBackupRepository(client: SkiffClient, input: EnsureRepositoryInput): Promise<BackupRepository> {
  const name = repositoryName(input.volumeNamespace, input.backupStorageLocation);
  const found = await client.get<BackupRepository>(PLURALS.BackupRepository, name);
  if (found !== undefined) return found;
  try {
    return await client.create<BackupRepository>(PLURALS.BackupRepository, backupRepositoryObject(input));
  } catch (err) {
    if (!isCode(err, 'Conflict')) throw err;
    const again = await client.get<BackupRepository>(PLURALS.BackupRepository, name);
    if (again === undefined) throw err;
    return again;
  }
}
