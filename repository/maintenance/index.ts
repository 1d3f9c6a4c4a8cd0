/** Maintenance: retention (forget) and space reclamation (prune). */
export { parseDuration, formatDuration, type Duration } from './duration.ts';
export { applyPolicy, describePolicy, isEmptyPolicy, type ExpirePolicy, type KeepReason, type KeepCounters, type PolicyResult, type TagList } from './policy.ts';
export {
  DEFAULT_GROUP_BY,
  describeGroup,
  groupSnapshots,
  parseGroupBy,
  parseTagList,
  type ForgetFilter,
  type GroupBy,
  type GroupKey,
  type SnapshotGroup,
} from './group.ts';
export { forget, type ForgetOptions, type ForgetResult, type ForgetGroup } from './forget.ts';
export { prune, type PruneOptions, type PruneResult, type PrunePhase } from './prune.ts';
export { planPrune, summarize, type PlanOptions, type PlanInput, type PrunePlan, type PruneStats } from './prune-plan.ts';
export { parseMaxUnused, parseSize, maxUnusedBytes, DEFAULT_MAX_UNUSED, type MaxUnused } from './limits.ts';
export { BlobSet } from './blob-set.ts';
export { findUsedBlobs, type UsedBlobs } from './used-blobs.ts';
