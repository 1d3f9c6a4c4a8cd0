import { SkiffError } from '../errors/errors.ts';
import type { LoadOptions } from './storage.ts';

/** A byte range [start, end) inside an object. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** Validates offset/length; returns the wanted range without looking at the object. */
export function wantedRange(opts: LoadOptions | undefined): { offset: number; length: number | undefined } {
  const offset = opts?.offset ?? 0;
  const length = opts?.length;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new SkiffError('Permanent', `invalid load offset ${offset}`);
  }
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
    throw new SkiffError('Permanent', `invalid load length ${length}`);
  }
  return { offset, length };
}

/**
 * The range to read from an object of `size` bytes; `Integrity` if the object is too short
 * (offset past the end, or fewer than `length` bytes after offset).
 */
export function resolveRange(size: number, opts: LoadOptions | undefined, what: string): ByteRange {
  const { offset, length } = wantedRange(opts);
  const end = length === undefined ? size : offset + length;
  if (offset > size || end > size) {
    throw shortRead(what, end - offset, Math.max(0, size - offset));
  }
  return { start: offset, end };
}

export function shortRead(what: string, wanted: number, got: number): SkiffError {
  return new SkiffError('Integrity', `short read of ${what}: wanted ${wanted} bytes, got ${got}`);
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new SkiffError('Cancelled', 'operation cancelled');
}
