import test from 'ava';
import { ManualClock } from './clock.ts';
import { WorkQueue } from './work-queue.ts';

/** Resolves with the next key if one is ready now, else 'none' (does not leave a waiter behind). */
async function tryGet(q: WorkQueue): Promise<string | undefined> {
  if (q.len() === 0) return 'none';
  return q.get();
}

test('a key added many times while waiting is handed out once', async (t) => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('a');
  q.add('b');
  q.add('a');
  q.add('a');
  t.is(q.len(), 2);
  t.is(await q.get(), 'a');
  t.is(await q.get(), 'b');
  t.is(await tryGet(q), 'none');
});

test('a key is never handed to two workers at once; re-added while processing it comes back after done', async (t) => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('a');
  t.is(await q.get(), 'a');
  q.add('a');
  q.add('a');
  t.is(await tryGet(q), 'none', 'not handed out while a worker holds it');
  t.true(q.isProcessing('a'));
  q.done('a');
  t.is(await q.get(), 'a', 'queued again once, after done');
  q.done('a');
  t.is(await tryGet(q), 'none');
});

test('a waiting worker gets a key added later; concurrent workers get different keys', async (t) => {
  const q = new WorkQueue({ clock: new ManualClock() });
  const w1 = q.get();
  const w2 = q.get();
  q.add('x');
  q.add('x');
  q.add('y');
  t.deepEqual([await w1, await w2], ['x', 'y']);
});

test('addAfter waits for the clock and keeps the earliest time per key', async (t) => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock });
  q.addAfter('a', 10_000);
  q.addAfter('a', 3_000);
  q.addAfter('a', 20_000);
  clock.advance(2_999);
  t.is(q.len(), 0);
  clock.advance(1);
  t.is(q.len(), 1);
  t.is(await q.get(), 'a');
  q.done('a');
  clock.advance(60_000);
  t.is(q.len(), 0, 'the later delays were dropped, not queued again');
  q.addAfter('b', 0);
  t.is(q.len(), 1, 'no delay adds at once');
});

test('addRateLimited backs off exponentially per key up to the cap; forget resets', (t) => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock, baseDelayMs: 100, maxDelayMs: 1000 });
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    delays.push(q.backoffMs(q.numRequeues('k')));
    q.addRateLimited('k');
  }
  t.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
  t.is(q.numRequeues('k'), 6);
  t.is(q.numRequeues('other'), 0, 'per key');
  q.forget('k');
  t.is(q.numRequeues('k'), 0);
});

test('a rate-limited key arrives only after its backoff', async (t) => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock, baseDelayMs: 1000 });
  q.addRateLimited('k');
  q.addRateLimited('k');
  clock.advance(999);
  t.is(q.len(), 0);
  clock.advance(1);
  t.is(q.len(), 1, 'the first (1 s) delay won; the 2 s one was dropped as later');
  t.is(await q.get(), 'k');
});

test('shutDown releases waiting workers and ignores later adds and pending delays', async (t) => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock });
  const waiting = q.get();
  q.addAfter('late', 1000);
  q.shutDown();
  t.is(await waiting, undefined);
  q.add('x');
  clock.advance(5000);
  t.is(await q.get(), undefined);
  t.is(q.len(), 0);
  t.true(q.shuttingDown);
});
