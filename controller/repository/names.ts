/**
 * Names shared by the controller and the node agents (issue 6 protocol): the repository of a
 * namespace lives at `<bsl prefix>/fsb/<namespace>` in the location's bucket, its password is
 * Secret `skiff-repo-credentials` key `repository-password` in the server namespace, and one
 * BackupRepository CR per (namespace, location) is named `<namespace>-<bsl>-restic`.
 */
import { createHash } from 'node:crypto';

export const REPO_PASSWORD_SECRET = 'skiff-repo-credentials';
export const REPO_PASSWORD_KEY = 'repository-password';
export const DEFAULT_MAINTENANCE_FREQUENCY = '168h0m0s';
export const REPOSITORY_TYPE = 'restic';
/** the folder under a location's prefix that holds the per-namespace repositories */
export const FSB_DIR = 'fsb';

/** Cuts names over 63 characters to 57 and appends 6 hex digits of their SHA-256 (as label values are). */
export function shortName(name: string): string {
  if (name.length <= 63) return name;
  return name.slice(0, 57) + createHash('sha256').update(name).digest('hex').slice(0, 6);
}

/** Name of the BackupRepository CR of (`namespace`, `bsl`). */
export function repositoryName(namespace: string, bsl: string): string {
  return shortName(`${namespace}-${bsl}-${REPOSITORY_TYPE}`);
}

/** Key prefix of a namespace's repository inside the bucket: `<bsl prefix>/fsb/<namespace>`. */
export function repositoryPrefix(bslPrefix: string, namespace: string): string {
  const p = bslPrefix.replace(/^\/+|\/+$/g, '');
  return p === '' ? `${FSB_DIR}/${namespace}` : `${p}/${FSB_DIR}/${namespace}`;
}

/**
 * The repository URL as restic takes it (informative: `spec.resticIdentifier`,
 * `spec.repoIdentifier`): `s3:http://host:port/bucket/prefix/fsb/ns`, or
 * `s3:s3.amazonaws.com/bucket/...` without an endpoint.
 */
export function repositoryUrl(where: { readonly endpoint: string; readonly bucket: string; readonly prefix: string }, namespace: string): string {
  return `s3:${where.endpoint.replace(/\/+$/, '')}/${where.bucket}/${repositoryPrefix(where.prefix, namespace)}`;
}
