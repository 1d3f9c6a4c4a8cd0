import test from 'ava';
import { SkiffError } from '../errors/errors.ts';
import { backoffDelay, sleep, withRetry } from './retry.ts';

const transient = (): SkiffError => new SkiffError('Transient', 'flaky');

test('retry: Transient errors are retried with exponential full-jitter backoff', async (t) => {
  const waits: number[] = [];
  let calls = 0;
  const result = await withRetry(async (attempt) => {
    calls++;
    if (attempt < 4) throw transient();
    return 'ok';
  }, { attempts: 5, baseDelayMs: 100, sleep: async (ms) => void waits.push(ms), random: () => 0.5 });
  t.is(result, 'ok');
  t.is(calls, 4);
  t.deepEqual(waits, [50, 100, 200]);
});

test('retry: gives up after the last attempt with the last Transient error', async (t) => {
  let calls = 0;
  const err = await t.throwsAsync(withRetry(async () => {
    calls++;
    throw new SkiffError('Transient', `try ${calls}`);
  }, { attempts: 3, sleep: async () => {} }), { instanceOf: SkiffError });
  t.is(calls, 3);
  t.is(err?.message, 'try 3');
});

for (const code of ['Integrity', 'NotFound', 'Auth', 'Config', 'Permanent', 'Conflict'] as const) {
  test(`retry: ${code} is never retried`, async (t) => {
    let calls = 0;
    const err = await t.throwsAsync(withRetry(async () => {
      calls++;
      throw new SkiffError(code, 'no');
    }, { sleep: async () => {} }));
    t.is(calls, 1);
    t.is((err as SkiffError).code, code);
  });
}

test('retry: plain errors are not retried', async (t) => {
  let calls = 0;
  await t.throwsAsync(withRetry(async () => {
    calls++;
    throw new TypeError('bug');
  }, { sleep: async () => {} }), { instanceOf: TypeError });
  t.is(calls, 1);
});

test('retry: the delay ceiling is capped and grows per attempt', (t) => {
  const top = () => 0.999999;
  t.is(backoffDelay(1, { baseDelayMs: 100, random: top }), 99);
  t.is(backoffDelay(3, { baseDelayMs: 100, random: top }), 399);
  t.is(backoffDelay(20, { baseDelayMs: 100, maxDelayMs: 1000, random: top }), 999);
  t.is(backoffDelay(5, { random: () => 0 }), 0);
});

test('retry: an abort during the wait stops with Cancelled', async (t) => {
  const ac = new AbortController();
  const p = withRetry(async () => {
    throw transient();
  }, { baseDelayMs: 60_000, random: () => 1, signal: ac.signal });
  setTimeout(() => ac.abort(), 10);
  const err = await t.throwsAsync(p, { instanceOf: SkiffError });
  t.is(err?.code, 'Cancelled');
});

test('retry: sleep resolves after the delay', async (t) => {
  const start = Date.now();
  await sleep(20);
  t.true(Date.now() - start >= 15);
});
