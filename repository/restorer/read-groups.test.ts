import test from 'ava';
import { PackTargets } from './pack-targets.ts';
import { groupReads } from './read-groups.ts';
import type { JobSpec } from './restore-jobs.ts';

/** One job per [offset, length] blob of pack `id`. */
function jobs(id: string, blobs: readonly (readonly [number, number])[]): JobSpec[] {
  const pack = new PackTargets(id);
  blobs.forEach(([offset, length], i) => pack.add(Buffer.alloc(32, i), { packId: id, type: 'data', offset, length, uncompressedLength: 0 }, i, 0));
  return blobs.map((_, i) => ({ pack, rows: Uint32Array.of(i) }));
}

test('consecutive jobs of one pack share a read up to readBytes, across small gaps only', (t) => {
  const list = [
    ...jobs('a', [[0, 100], [100, 100], [210, 90], [1000, 50], [1050, 460]]),
    ...jobs('b', [[0, 10], [10, 10]]),
    { create: Uint32Array.of(7, 8) },
  ];
  const groups = groupReads(list, 500, 20);
  t.deepEqual(
    groups.map((g) => ({ packId: g.packId, start: g.start, end: g.end, jobs: g.jobs })),
    [
      { packId: 'a', start: 0, end: 300, jobs: [0, 1, 2] }, // gap of 10 joined
      { packId: 'a', start: 1000, end: 1050, jobs: [3] }, // gap of 700 not joined; with the next, 510 bytes: more than 500
      { packId: 'a', start: 1050, end: 1510, jobs: [4] },
      { packId: 'b', start: 0, end: 20, jobs: [5, 6] },
      { packId: undefined, start: 0, end: 0, jobs: [7] },
    ],
  );
});

test('with readBytes of one job, every job is a read of its own', (t) => {
  const groups = groupReads(jobs('a', [[0, 100], [100, 100], [200, 100]]), 100, 0);
  t.deepEqual(groups.map((g) => g.jobs), [[0], [1], [2]]);
});
