export { type JobRunner, InlineRunner, WorkerPool, defaultThreads, sharedRunner } from './pool.ts';
export { ByteBudget } from './budget.ts';
export { SpareBuffers } from './spares.ts';
export { openRead, openReadSync } from './no-atime.ts';
export { rawKey } from './job-keys.ts';
export { looksCompressible, compressForBlob } from './compress.ts';
export { sealGap } from './protocol.ts';
export { nonZeroSegments } from './restore-job.ts';
export type {
  Job,
  ResultOf,
  HashJob,
  HashResult,
  SealJob,
  SealResult,
  FilesJob,
  FilesResult,
  FileOutcome,
  Sha256Job,
  Sha256Result,
  OpenJob,
  OpenResult,
} from './protocol.ts';
