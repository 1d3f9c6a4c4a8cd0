// A BackupStorageLocation's bucket/prefix as an ObjectStore (S3 and S3-compatible stores), the
// per-server cache behind ReconcileContext.objectStore(name), and an in-memory store for tests.
// The only place in controller/ that imports @aws-sdk/*.
export { parseAwsCredentials } from './aws-credentials.ts';
export { bslConnection, objectStoreForBsl } from './for-bsl.ts';
export type { BslConnection } from './for-bsl.ts';
export { LAYOUT_DIRS, S3ObjectStore } from './s3-object-store.ts';
export type { S3ObjectStoreOptions } from './s3-object-store.ts';
export { ObjectStoreCache } from './store-cache.ts';
export type { CredentialSecret, ObjectStoreCacheOptions, SecretReader } from './store-cache.ts';
export { MemObjectStore } from './mem-object-store.ts';
