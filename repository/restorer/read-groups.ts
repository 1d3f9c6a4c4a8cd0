/**
 * Groups a pack's restore jobs into reads: consecutive jobs of one pack, spanning at most
 * `readBytes` with gaps of at most `gap` unneeded bytes, are read with one request. On S3 a
 * request costs milliseconds of the server's and the client's time whatever its size, so a
 * 16 MiB pack read as eight 2 MiB jobs cost eight of them; a local disk gains nothing from it
 * (readBytes there is one job's worth). Jobs with nothing to read are groups of their own.
 */
import type { JobSpec } from './restore-jobs.ts';

export interface ReadGroup {
  /** the pack to read, or undefined for create-only jobs */
  readonly packId: string | undefined;
  /** the byte range of the pack to read */
  readonly start: number;
  readonly end: number;
  /** indexes into the job list, in pack order */
  readonly jobs: readonly number[];
}

/** The byte range of the pack a job needs. */
export function jobSpan(job: JobSpec): { start: number; end: number } {
  if (!job.pack) return { start: 0, end: 0 };
  const first = job.rows[0]!;
  const last = job.rows[job.rows.length - 1]!;
  return { start: job.pack.offset.get(first), end: job.pack.offset.get(last) + job.pack.length.get(last) };
}

export function groupReads(jobs: readonly JobSpec[], readBytes: number, gap: number): ReadGroup[] {
  const groups: ReadGroup[] = [];
  let cur: { packId: string | undefined; start: number; end: number; jobs: number[] } | undefined;
  jobs.forEach((job, j) => {
    const span = jobSpan(job);
    const packId = job.pack?.packId;
    const joins =
      cur !== undefined &&
      packId !== undefined &&
      cur.packId === packId &&
      span.start >= cur.end &&
      span.start - cur.end <= gap &&
      span.end - cur.start <= readBytes;
    if (joins) {
      cur!.end = span.end;
      cur!.jobs.push(j);
      return;
    }
    cur = { packId, ...span, jobs: [j] };
    groups.push(cur);
  });
  return groups;
}
