// Garbage collection of expired backups, and the storage-location checks lifecycle work shares.
export { GC_FAILURE_LABEL, createGcReconciler, deleteRequestFor } from './gc-reconciler.ts';
export type { GcOptions } from './gc-reconciler.ts';
export { backupLocationName, isReadOnly, writableLocation } from './storage-location.ts';
export type { LocationCheck, LocationProblem } from './storage-location.ts';
