import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { abortReason, WorkPool, type JobContext } from './work-pool.ts';

/** A job that takes a slot, then runs until released or aborted, recording what happened. */
function gate(log: string[], name: string, opts: { waitFirst?: Promise<void> } = {}) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const job = async ({ signal, slot }: JobContext) => {
    await opts.waitFirst;
    try {
      await slot();
    } catch {
      log.push(`abort ${name} waiting ${abortReason(signal)}`);
      return;
    }
    log.push(`start ${name}`);
    await Promise.race([released, new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }))]);
    log.push(signal.aborted ? `abort ${name} ${abortReason(signal)}` : `end ${name}`);
  };
  return { job, release };
}

test('at most `concurrency` jobs hold a slot; the rest wait in order; a key is never present twice', async (t) => {
  const log: string[] = [];
  const pool = new WorkPool({ concurrency: 2 });
  const [a, b, c] = [gate(log, 'a'), gate(log, 'b'), gate(log, 'c')];
  t.true(pool.submit('a', a.job));
  t.true(pool.submit('b', b.job));
  t.true(pool.submit('c', c.job));
  t.false(pool.submit('a', a.job), 'already running');
  t.false(pool.submit('c', c.job), 'already waiting');
  await sleep(5);
  t.deepEqual(log, ['start a', 'start b']);
  t.deepEqual({ running: pool.runningCount, queued: pool.queuedCount }, { running: 2, queued: 1 });
  b.release();
  await sleep(5);
  t.deepEqual(log, ['start a', 'start b', 'end b', 'start c']);
  t.true(pool.submit('b', b.job), 'a finished key may come again');
  a.release();
  c.release();
  await pool.idle();
  t.is(log.filter((l) => l === 'start b').length, 2);
  t.deepEqual({ running: pool.runningCount, queued: pool.queuedCount }, { running: 0, queued: 0 });
});

test('a job waiting before its slot (a restore waiting for its pod) does not hold one', async (t) => {
  const log: string[] = [];
  const pool = new WorkPool({ concurrency: 1 });
  let podReady!: () => void;
  const restore = gate(log, 'restore', { waitFirst: new Promise<void>((r) => (podReady = r)) });
  const backup = gate(log, 'backup');
  pool.submit('restore', restore.job);
  pool.submit('backup', backup.job);
  await sleep(5);
  t.deepEqual(log, ['start backup']);
  podReady();
  await sleep(5);
  t.is(pool.queuedCount, 1);
  backup.release();
  await sleep(5);
  t.deepEqual(log, ['start backup', 'end backup', 'start restore']);
  restore.release();
  await pool.idle();
});

test('cancel aborts a running or waiting job with reason cancel; stop aborts all with shutdown', async (t) => {
  const log: string[] = [];
  const errors: string[] = [];
  const pool = new WorkPool({ concurrency: 1, onError: (key) => errors.push(key) });
  const [a, b, c, d] = [gate(log, 'a'), gate(log, 'b'), gate(log, 'c'), gate(log, 'd')];
  pool.submit('a', a.job);
  pool.submit('b', b.job);
  await sleep(5);
  t.true(pool.cancel('b'));
  t.true(pool.cancel('a'));
  t.false(pool.cancel('zzz'));
  await pool.idle();
  t.deepEqual(log, ['start a', 'abort b waiting cancel', 'abort a cancel']);
  pool.submit('c', c.job);
  pool.submit('d', d.job);
  pool.submit('boom', async () => {
    throw new Error('x');
  });
  await sleep(5);
  await pool.stop();
  t.deepEqual(log.slice(3).sort(), ['abort c shutdown', 'abort d waiting shutdown', 'start c']);
  t.false(pool.submit('e', c.job), 'a stopped pool takes nothing');
  t.deepEqual(errors, ['boom']);
  t.throws(() => new WorkPool({ concurrency: 0 }), { instanceOf: RangeError });
});
