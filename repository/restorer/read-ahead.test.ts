import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { runReadAhead } from './read-ahead.ts';

/** groups of jobs; job j has key keyOf(j) */
function setup(groupSizes: readonly number[]) {
  let j = 0;
  const groups = groupSizes.map((n, g) => ({ g, jobs: Array.from({ length: n }, () => j++) }));
  return { groups, jobs: j };
}

test('runs every job once with its group\'s bytes, at most `limit` at once, at most `ahead` groups held', async (t) => {
  const { groups, jobs } = setup([3, 1, 4, 2, 5, 1, 3]);
  let running = 0;
  let mostRunning = 0;
  let held = 0;
  let mostHeld = 0;
  const ran: number[] = [];
  const released: number[] = [];
  await runReadAhead({
    groups,
    jobsOf: (g) => g.jobs,
    keysOf: () => [],
    limit: 3,
    ahead: 2,
    read: async (g) => {
      held++;
      mostHeld = Math.max(mostHeld, held);
      await sleep(1 + (g.g % 2));
      return `bytes of ${g.g}`;
    },
    run: async (job, bytes) => {
      t.is(bytes, `bytes of ${groups.find((g) => g.jobs.includes(job))!.g}`);
      mostRunning = Math.max(mostRunning, ++running);
      await sleep(1 + (job % 3));
      running--;
      ran.push(job);
    },
    done: (g, bytes) => {
      t.is(bytes, `bytes of ${g.g}`);
      t.true(g.jobs.every((j) => ran.includes(j)), 'released only after all its jobs ran');
      released.push(g.g);
      held--;
    },
  });
  t.deepEqual([...ran].sort((a, b) => a - b), Array.from({ length: jobs }, (_, i) => i));
  t.deepEqual([...released].sort(), groups.map((g) => g.g));
  t.true(mostRunning <= 3 && mostRunning >= 2, `${mostRunning}`);
  t.is(mostHeld, 2);
});

test('prefers a ready job whose keys no running job holds, and keeps every slot busy when all share one', async (t) => {
  // one group of 12 jobs in 4 directories, 3 jobs each, in directory order as a pack has them
  const { groups } = setup([12]);
  const keyOf = (j: number) => Math.floor(j / 3);
  const running = new Map<number, number>();
  const started = new Set<number>();
  let avoidable = 0;
  await runReadAhead({
    groups,
    jobsOf: (g) => g.jobs,
    keysOf: (j) => [keyOf(j)],
    limit: 3,
    ahead: 1,
    read: async () => undefined,
    run: async (j) => {
      started.add(j);
      if (running.has(keyOf(j)) && groups[0]!.jobs.some((y) => !started.has(y) && !running.has(keyOf(y)))) avoidable++;
      running.set(keyOf(j), (running.get(keyOf(j)) ?? 0) + 1);
      await sleep(1 + (j % 3));
      const left = running.get(keyOf(j))! - 1;
      if (left) running.set(keyOf(j), left);
      else running.delete(keyOf(j));
    },
    done: () => undefined,
  });
  t.is(avoidable, 0);
  let now = 0;
  let most = 0;
  await runReadAhead({
    groups: setup([4]).groups,
    jobsOf: (g) => g.jobs,
    keysOf: () => [7],
    limit: 2,
    ahead: 1,
    read: async () => undefined,
    run: async () => {
      most = Math.max(most, ++now);
      await sleep(2);
      now--;
    },
    done: () => undefined,
  });
  t.is(most, 2);
});

test('a failing read or job stops new jobs; the error is thrown once the running ones end', async (t) => {
  const { groups } = setup([2, 2, 2, 2]);
  const started: number[] = [];
  const readErr = await t.throwsAsync(
    runReadAhead({
      groups,
      jobsOf: (g) => g.jobs,
      keysOf: () => [],
      limit: 2,
      ahead: 1,
      read: async (g) => {
        if (g.jobs[0] === 2) throw new Error('unreadable');
      },
      run: async (j) => {
        started.push(j);
        await sleep(2);
      },
      done: () => undefined,
    }),
  );
  t.is(readErr?.message, 'unreadable');
  t.deepEqual(started.sort(), [0, 1], 'nothing after the failed read started');
  let ended = 0;
  const jobErr = await t.throwsAsync(
    runReadAhead({
      groups,
      jobsOf: (g) => g.jobs,
      keysOf: () => [],
      limit: 2,
      ahead: 4,
      read: async () => undefined,
      run: async (j) => {
        await sleep(j === 1 ? 1 : 5);
        if (j === 1) throw new Error('boom');
        ended++;
      },
      done: () => undefined,
    }),
  );
  t.is(jobErr?.message, 'boom');
  t.is(ended, 1, 'job 0 finished before the error was thrown; no job started after it');
});
