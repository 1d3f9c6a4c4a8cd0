/** The credentials Secret, the repository password Secret and the default BackupStorageLocation. */
import { API_VERSION, type BackupStorageLocation } from '../crds/index.ts';
import { type InstallOptions, type LocationOptions, NAMES, PART_OF } from './options.ts';
import type { SecretManifest } from './types.ts';

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

/** Secret `cloud-credentials`, key `cloud`: an AWS shared credentials file, as Velero's. */
export function credentialsSecret(namespace: string, credentialsFile: string): SecretManifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: NAMES.credentialsSecret, namespace, labels: { ...PART_OF } },
    type: 'Opaque',
    data: { [NAMES.credentialsKey]: b64(credentialsFile) },
  };
}

/**
 * Secret `skiff-repo-credentials`, key `repository-password`. Install creates it only when it
 * is absent: repositories already initialised with the old password would become unreadable.
 */
export function repositoryPasswordSecret(namespace: string, password: string): SecretManifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: NAMES.repositorySecret, namespace, labels: { ...PART_OF } },
    type: 'Opaque',
    data: { [NAMES.repositoryKey]: b64(password) },
  };
}

export type LocationManifest = BackupStorageLocation & { metadata: { name: string; namespace: string } };

/** BackupStorageLocation `default` (provider aws, ReadWrite, default: true). */
export function defaultLocation(o: Pick<InstallOptions, 'namespace' | 'cloudCredentials'>, loc: LocationOptions): LocationManifest {
  const objectStorage = {
    bucket: loc.bucket,
    ...(loc.prefix !== undefined && loc.prefix !== '' ? { prefix: loc.prefix } : {}),
    ...(loc.caCert !== undefined ? { caCert: b64(loc.caCert) } : {}),
  };
  return {
    apiVersion: API_VERSION,
    kind: 'BackupStorageLocation',
    metadata: { name: NAMES.defaultLocation, namespace: o.namespace, labels: { ...PART_OF } },
    spec: {
      provider: 'aws',
      objectStorage,
      ...(Object.keys(loc.config).length > 0 ? { config: { ...loc.config } } : {}),
      ...(o.cloudCredentials !== undefined ? { credential: { name: NAMES.credentialsSecret, key: NAMES.credentialsKey } } : {}),
      accessMode: 'ReadWrite',
      default: true,
    },
  };
}
