import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { runSpread } from './spread.ts';

test('runs every task, at most `limit` at once, never two of one key together while others wait', async (t) => {
  // tasks come grouped by key, as a pack's jobs come grouped by directory
  const tasks = Array.from({ length: 40 }, (_, i) => ({ i, key: Math.floor(i / 5) }));
  const running = new Map<number, number>();
  const started = new Set<number>();
  let most = 0;
  let avoidable = 0;
  const done: number[] = [];
  await runSpread(tasks, (x) => [x.key], 3, async (x) => {
    started.add(x.i);
    // sharing a key is allowed only when every task still waiting would have shared one too
    if (running.has(x.key) && tasks.some((y) => !started.has(y.i) && !running.has(y.key))) avoidable++;
    running.set(x.key, (running.get(x.key) ?? 0) + 1);
    most = Math.max(most, [...running.values()].reduce((a, b) => a + b, 0));
    await sleep(1 + (x.i % 3));
    const left = running.get(x.key)! - 1;
    if (left) running.set(x.key, left);
    else running.delete(x.key);
    done.push(x.i);
  });
  t.deepEqual(done.sort((a, b) => a - b), tasks.map((x) => x.i));
  t.is(most, 3);
  t.is(avoidable, 0);
});

test('keeps every slot busy when all tasks share a key', async (t) => {
  let now = 0;
  let most = 0;
  await runSpread([1, 2, 3, 4], () => [7], 2, async () => {
    most = Math.max(most, ++now);
    await sleep(2);
    now--;
  });
  t.is(most, 2);
});

test('a failing task stops new ones from starting; the error is thrown once the running ones end', async (t) => {
  const started: number[] = [];
  const err = await t.throwsAsync(
    runSpread([0, 1, 2, 3, 4, 5], (i) => [i], 2, async (i) => {
      started.push(i);
      await sleep(i === 1 ? 1 : 5);
      if (i === 1) throw new Error('boom');
    }),
  );
  t.is(err?.message, 'boom');
  t.deepEqual(started, [0, 1]);
});
