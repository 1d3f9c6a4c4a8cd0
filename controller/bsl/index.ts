// BackupStorageLocation: the validating reconciler, and the helpers other reconcilers use to pick
// a location and honour ReadOnly.
export { bslReconciler } from './reconciler.ts';
export type { BslReconcilerOptions } from './reconciler.ts';
export { defaultBsl, isAvailable, isWritable, readOnlyMessage } from './access.ts';
