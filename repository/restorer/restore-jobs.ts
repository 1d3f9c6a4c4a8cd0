/**
 * Cuts the plan's pack targets into worker jobs: each job is a run of one pack's blobs in pack
 * order (one read), at most JOB_BYTES of sealed data or JOB_TARGETS targets, so small files
 * spread over the threads and a large file's blobs are written by several threads at once.
 * Counts, per file, how many jobs write it: a file written by exactly one job is that job's to
 * create, finish and apply metadata to, on the worker; the others are created up front and
 * finished by the caller. Files with nothing to write (empty ones) go to create-only jobs, so
 * they too are made on the worker threads.
 */
import type { PackTargets } from './pack-targets.ts';

/**
 * The work of one job on a worker thread. Jobs once each read their span into a fresh buffer, so
 * shorter jobs (2 MiB rather than 4) kept less garbage alive; reads now go into reused shared
 * buffers (read-ahead.ts), and the size still decides how finely small files spread over threads
 * and a local disk's reads are cut.
 */
export const JOB_BYTES = 2 * 1024 * 1024;
const JOB_TARGETS = 256;

export type JobSpec =
  | {
      readonly pack: PackTargets;
      /** rows of `pack` in pack order; rows with the same offset are one blob */
      readonly rows: Uint32Array;
    }
  | {
      readonly pack?: undefined;
      /** files (FileTable rows) to create, with nothing to write */
      readonly create: Uint32Array;
    };

export interface JobPlan {
  readonly jobs: JobSpec[];
  /** per file: the number of jobs writing it (1: the job owns it; 0 only for hardlinks) */
  readonly jobsPerFile: Uint32Array;
}

/** `isLink(f)`: file f is a hardlink to another, made by the caller once its target is restored. */
export function planJobs(packs: Iterable<PackTargets>, fileCount: number, isLink: (f: number) => boolean): JobPlan {
  const jobs: JobSpec[] = [];
  const jobsPerFile = new Uint32Array(fileCount);
  const lastJob = new Int32Array(fileCount).fill(-1);
  for (const pack of packs) {
    const order = pack.sorted();
    let start = 0;
    let bytes = 0;
    const close = (end: number) => {
      const j = jobs.length;
      jobs.push({ pack, rows: order.subarray(start, end) });
      for (let i = start; i < end; i++) {
        const f = pack.file.get(order[i]!);
        if (lastJob[f] === j) continue;
        lastJob[f] = j;
        jobsPerFile[f]!++;
      }
      start = end;
      bytes = 0;
    };
    for (let i = 0; i < order.length; i++) {
      const row = order[i]!;
      const newBlob = i === 0 || pack.offset.get(row) !== pack.offset.get(order[i - 1]!);
      if (!newBlob) continue;
      if (i > start && (bytes + pack.length.get(row) > JOB_BYTES || i - start >= JOB_TARGETS)) close(i);
      bytes += pack.length.get(row);
    }
    if (order.length > start) close(order.length);
  }
  let create: number[] = [];
  const flush = () => {
    for (const f of create) jobsPerFile[f] = 1;
    jobs.push({ create: Uint32Array.from(create) });
    create = [];
  };
  for (let f = 0; f < fileCount; f++) {
    if (jobsPerFile[f] !== 0 || isLink(f)) continue;
    create.push(f);
    if (create.length === JOB_TARGETS) flush();
  }
  if (create.length > 0) flush();
  return { jobs, jobsPerFile };
}
