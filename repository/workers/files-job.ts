/**
 * Builds the FilesJob of a batch of small files: their paths back to back in one buffer, plus end
 * offsets and sizes (see protocol.ts for why not an array of paths).
 */
import type { Bytes, FilesJob } from './protocol.ts';

export function filesJob(paths: readonly Uint8Array[], sizes: readonly number[], key: Uint8Array, level: number, spare?: Bytes): FilesJob {
  let total = 0;
  for (const p of paths) total += p.length;
  // a buffer of its own (not a view into Buffer's shared pool), so posting it copies just the paths
  const joined = new Uint8Array(total);
  const ends = new Uint32Array(paths.length);
  let at = 0;
  paths.forEach((p, i) => {
    joined.set(p, at);
    at += p.length;
    ends[i] = at;
  });
  return { op: 'files', paths: joined, ends, sizes: Float64Array.from(sizes), key, level, ...(spare ? { spare } : {}) };
}
