/** The engine's public surface: everything outside repository/ imports from here. */
export { SkiffError, isCode, type ErrorCode } from './errors/errors.ts';
export type { Storage, FileType, FileInfo, Handle } from './storage/storage.ts';
export { openStorage, type OpenStorageOptions } from './storage/open-storage.ts';
export { parseRepositoryUrl } from './storage/url.ts';
export { MemStorage } from './storage/mem-storage.ts';
export { FsStorage } from './storage/fs-storage.ts';
export { Repository, type SavedBlob } from './repo/repository.ts';
export type { RepoOptions, Compression } from './repo/options.ts';
export { initRepository, openRepository, keyOpensConfig, exportMasterKey, DEFAULT_KDF, type KdfParams, type InitOptions } from './repo/open.ts';
export { listKeys, addKey, removeKey, changePassword, type KeyInfo } from './repo/keys.ts';
export { backup, type BackupOptions, type BackupResult } from './archiver/archiver.ts';
export { parseExcludeFile } from './archiver/excludes.ts';
export type { BackupProgress, BackupStats } from './archiver/stats.ts';
export { restoreTree, type RestoreOptions, type RestoreResult } from './restorer/restorer.ts';
export { check, type CheckOptions, type CheckResult, type CheckProblem } from './checker/checker.ts';
export { parseSubset, type Subset } from './checker/subset.ts';
export { acquireLock, listLocks, unlock, type HeldLock, type LockOptions } from './lock/lock.ts';
export { listSnapshots, loadSnapshot, resolveSnapshot, findParent, matches, type SnapshotEntry, type SnapshotFilter } from './snapshot/snapshots.ts';
export { decodeTree, type Node, type Snapshot } from './tree/index.ts';
export { stats, type RepoStats } from './stats/stats.ts';
export {
  forget,
  prune,
  applyPolicy,
  describePolicy,
  isEmptyPolicy,
  parseDuration,
  formatDuration,
  parseGroupBy,
  parseTagList,
  describeGroup,
  groupSnapshots,
  DEFAULT_GROUP_BY,
  planPrune,
  summarize,
  parseMaxUnused,
  parseSize,
  DEFAULT_MAX_UNUSED,
  type ExpirePolicy,
  type KeepReason,
  type PolicyResult,
  type Duration,
  type GroupBy,
  type GroupKey,
  type ForgetFilter,
  type ForgetOptions,
  type ForgetResult,
  type ForgetGroup,
  type PruneOptions,
  type PruneResult,
  type PrunePhase,
  type PruneStats,
  type PrunePlan,
  type MaxUnused,
} from './maintenance/index.ts';
