export { type JobRunner, InlineRunner, WorkerPool, defaultThreads, sharedRunner } from './pool.ts';
export { ByteBudget } from './budget.ts';
export { SpareBuffers } from './spares.ts';
export { openRead, openReadSync } from './no-atime.ts';
export { rawKey } from './job-keys.ts';
export { looksCompressible, compressForBlob } from './compress.ts';
export { sealGap, FILE_BLOB, FILE_CHANGED, FILE_EMPTY, FILE_ERROR } from './protocol.ts';
export { filesJob } from './files-job.ts';
export { nonZeroSegments } from './restore-job.ts';
export type {
  Bytes,
  Job,
  ResultOf,
  HashJob,
  HashResult,
  SealJob,
  SealResult,
  FilesJob,
  FilesResult,
  Sha256Job,
  Sha256Result,
  OpenJob,
  OpenResult,
} from './protocol.ts';
