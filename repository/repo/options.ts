/** Options shared by every repository operation; all have safe defaults. */
export type Compression = 'auto' | 'off' | 'max';

export interface RepoOptions {
  /** zstd for data blobs: auto (default), max, or off (trees and metadata are still compressed, as restic does) */
  readonly compression?: Compression;
  /** target pack size in bytes; restic's default 16 MiB */
  readonly packSize?: number;
  /** injected clock (tests drive lock staleness and snapshot times) */
  readonly now?: () => Date;
  readonly hostname?: string;
  readonly username?: string;
  /** concurrent storage requests; defaults to the backend's `connections` */
  readonly connections?: number;
  /**
   * worker threads for hashing, compression and encryption (shared by every repository of the
   * process with the same count); 0 does that work on the calling thread. Default: one per CPU.
   */
  readonly workers?: number;
}

export const DEFAULT_PACK_SIZE = 16 * 1024 * 1024;
