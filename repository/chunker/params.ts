import { SkiffError } from '../errors/errors.ts';
import { gearTableFromKey } from './gear.ts';

/** Chunk size limits in bytes. */
export interface ChunkSizes {
  readonly min: number;
  readonly avg: number;
  readonly max: number;
}

/**
 * Everything that decides where chunks end. Two runs with equal params cut equal data alike;
 * changing any field changes the boundaries (and so defeats deduplication against older backups).
 */
export interface ChunkerParams extends ChunkSizes {
  /** 256 gear values, normally from `gearTableFromKey`. */
  readonly gear: Uint32Array;
}

export const DEFAULT_SIZES: ChunkSizes = { min: 512 * 1024, avg: 1024 * 1024, max: 8 * 1024 * 1024 };

/** Smallest and largest accepted `avg` (log2 6 and 28 keep both masks inside 32 bits). */
const MIN_AVG = 1 << 6;
const MAX_AVG = 1 << 28;
/** A chunk is held in memory whole; 1 GiB is far beyond any sane `max`. */
const MAX_MAX = 1 << 30;

/**
 * Throws SkiffError `Config` unless: min, avg, max are integers with 0 <= min < avg < max <= 1 GiB,
 * avg is a power of two in [64, 256 MiB], and gear holds exactly 256 values.
 */
export function validateChunkerParams(params: ChunkerParams): void {
  validateSizes(params);
  if (!(params.gear instanceof Uint32Array) || params.gear.length !== 256) {
    throw new SkiffError('Config', 'chunker gear table must be a Uint32Array of 256 values');
  }
}

export function validateSizes(sizes: ChunkSizes): void {
  const { min, avg, max } = sizes;
  if (!Number.isInteger(min) || !Number.isInteger(avg) || !Number.isInteger(max)) {
    throw new SkiffError('Config', `chunk sizes must be integers (min ${min}, avg ${avg}, max ${max})`);
  }
  if (!(min >= 0 && min < avg && avg < max && max <= MAX_MAX)) {
    throw new SkiffError('Config', `chunk sizes must satisfy 0 <= min < avg < max <= 1 GiB (min ${min}, avg ${avg}, max ${max})`);
  }
  if (avg < MIN_AVG || avg > MAX_AVG || (avg & (avg - 1)) !== 0) {
    throw new SkiffError('Config', `average chunk size must be a power of two from 64 B to 256 MiB, got ${avg}`);
  }
}

/** Params for a repository: gear table from its secret, sizes validated. */
export function makeChunkerParams(secret: Uint8Array, sizes: ChunkSizes = DEFAULT_SIZES): ChunkerParams {
  validateSizes(sizes);
  return { min: sizes.min, avg: sizes.avg, max: sizes.max, gear: gearTableFromKey(secret) };
}
