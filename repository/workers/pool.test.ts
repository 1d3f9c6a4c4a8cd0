import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { newMasterKey, open } from '../crypto/index.ts';
import { isCode } from '../errors/errors.ts';
import { rawKey } from './job-keys.ts';
import { InlineRunner, WorkerPool } from './pool.ts';
import { ByteBudget } from './budget.ts';
import { SpareBuffers } from './spares.ts';
import { fromReply, toReply } from './protocol.ts';

test('a worker pool runs jobs on threads: the input moves there and back, results match the inline runner', async (t) => {
  const pool = new WorkerPool(2);
  try {
    const data = randomBytes(3 * 1024 * 1024);
    const results = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const buf = new Uint8Array(data).buffer;
        const p = pool.run({ op: 'hash', buf, ranges: Uint32Array.of(0, data.length) });
        t.true(buf.detached, 'transferred, not copied');
        return p;
      }),
    );
    const inline = await new InlineRunner().run({ op: 'hash', buf: new Uint8Array(data).buffer, ranges: Uint32Array.of(0, data.length) });
    for (const r of results) {
      t.deepEqual(Buffer.from(r.ids), createHash('sha256').update(data).digest());
      t.deepEqual(r.ids, inline.ids);
      t.is(r.buf.byteLength, data.length, 'the buffer came back');
    }
    const key = newMasterKey();
    const sealed = await pool.run({ op: 'seal', buf: new Uint8Array(data).buffer, ranges: Uint32Array.of(0, data.length), key: rawKey(key), level: 3 });
    t.deepEqual(open(key, new Uint8Array(sealed.out, 0, sealed.lengths[0]!)), data);
  } finally {
    await pool.close();
  }
});

test('a job that throws rejects with the same SkiffError code; the pool keeps working', async (t) => {
  const pool = new WorkerPool(1);
  try {
    const err = await t.throwsAsync(pool.run({ op: 'seal', buf: new ArrayBuffer(10), ranges: Uint32Array.of(0, 10), key: new Uint8Array(64), level: 0 }));
    t.true(isCode(err, 'Integrity'), String(err));
    const ok = await pool.run({ op: 'sha256', buf: new ArrayBuffer(3), length: 3 });
    t.is(ok.hex, createHash('sha256').update(Buffer.alloc(3)).digest('hex'));
    t.is(ok.md5, undefined, 'MD5 only when asked');
    const both = await pool.run({ op: 'sha256', buf: Uint8Array.of(1, 2, 3, 4).buffer, length: 3, md5: true });
    t.is(both.hex, createHash('sha256').update(Uint8Array.of(1, 2, 3)).digest('hex'));
    t.is(both.md5, createHash('md5').update(Uint8Array.of(1, 2, 3)).digest('base64'));
  } finally {
    await pool.close();
  }
});

test('a closed pool refuses jobs', async (t) => {
  const pool = new WorkerPool(1);
  await pool.run({ op: 'sha256', buf: new ArrayBuffer(1), length: 1 });
  await pool.close();
  const err = await t.throwsAsync(pool.run({ op: 'sha256', buf: new ArrayBuffer(1), length: 1 }));
  t.true(isCode(err, 'Permanent'));
});

test('the byte budget admits in order, bounds what is held, and lets one oversize request through alone', async (t) => {
  const b = new ByteBudget(100);
  const order: string[] = [];
  await b.acquire(60);
  const big = b.acquire(50).then(() => order.push('big'));
  const small = b.acquire(10).then(() => order.push('small'));
  await Promise.resolve();
  t.deepEqual(order, [], 'small waits behind big although it would fit');
  b.release(60);
  await Promise.all([big, small]);
  t.deepEqual(order, ['big', 'small']);
  t.is(b.used, 60);
  b.release(60);
  await b.acquire(500);
  t.is(b.used, 500, 'oversize passes when nothing else is held');
  const next = b.acquire(1);
  let passed = false;
  void next.then(() => (passed = true));
  await Promise.resolve();
  t.false(passed);
  b.release(500);
  await next;
  t.true(passed);
});

test('tryAcquire takes what fits at once, and never overtakes a waiter', async (t) => {
  const b = new ByteBudget(100);
  t.true(b.tryAcquire(70));
  t.false(b.tryAcquire(40), 'does not fit');
  t.is(b.used, 70);
  const waiting = b.acquire(40);
  t.false(b.tryAcquire(10), 'fits, but 40 bytes wait ahead of it');
  b.release(70);
  await waiting;
  t.true(b.tryAcquire(60));
  t.is(b.used, 100);
});

test('spare buffers are reused when large enough, dropped when detached or too many', (t) => {
  const s = new SpareBuffers(100, 1);
  const a = s.take();
  t.is(a.byteLength, 100);
  s.give(a);
  t.is(s.take(50), a, 'reused');
  t.is(s.take(10, 10).byteLength, 10, 'with none free, a small request allocates what it asks');
  const big = s.take(300);
  t.is(big.byteLength, 300);
  s.give(big);
  s.give(new ArrayBuffer(100));
  t.is(s.take(), big, 'keeps only one');
  const moved = new ArrayBuffer(100);
  structuredClone(moved, { transfer: [moved] });
  s.give(moved);
  t.not(s.take(), moved);
  const kept = new ArrayBuffer(100);
  s.give(kept);
  s.clear();
  t.not(s.take(), kept, 'cleared');
});

test('a shared buffer is shared with the worker and comes back as the caller\'s own object', async (t) => {
  const pool = new WorkerPool(1);
  try {
    const spares = new SpareBuffers(1024, 2, { shared: true });
    const sab = spares.take();
    t.true(sab instanceof SharedArrayBuffer);
    const data = randomBytes(1024);
    new Uint8Array(sab).set(data);
    const hashed = await pool.run({ op: 'hash', buf: sab, ranges: Uint32Array.of(0, 1024) });
    t.is(hashed.buf, sab, 'the same object, not a new one made by the message');
    t.deepEqual(Buffer.from(hashed.ids), createHash('sha256').update(data).digest());
    // the worker seals in place into the shared buffer, which the caller then reads
    const gap = 64;
    const inPlace = new SharedArrayBuffer(gap + 1024);
    new Uint8Array(inPlace).set(data, gap);
    const key = newMasterKey();
    const sealed = await pool.run({ op: 'seal', buf: inPlace, ranges: Uint32Array.of(gap, 1024), key: rawKey(key), level: 0 });
    t.is(sealed.buf, inPlace);
    t.is(sealed.out, inPlace);
    t.deepEqual(open(key, new Uint8Array(inPlace, 0, sealed.lengths[0]!)), data);
    const ids = await pool.run({ op: 'sha256', buf: sab, length: 10 });
    t.is(ids.buf, sab);
    t.is(ids.hex, createHash('sha256').update(data.subarray(0, 10)).digest('hex'));
  } finally {
    await pool.close();
  }
});

test('a reply that names a shared buffer the job did not have is refused', (t) => {
  const job = { op: 'hash', buf: new ArrayBuffer(4), ranges: Uint32Array.of(0, 4) } as const;
  t.throws(() => fromReply({ buf: { shared: 'buf' }, ids: new Uint8Array(32) }, job), { message: /did not have/ });
  const sab = new SharedArrayBuffer(4);
  const shared = { op: 'hash', buf: sab, ranges: Uint32Array.of(0, 4) } as const;
  const reply = toReply({ buf: sab, ids: new Uint8Array(32) }, shared) as { buf: unknown };
  t.deepEqual(reply.buf, { shared: 'buf' });
  t.is((fromReply(reply, shared) as { buf: unknown }).buf, sab);
  const plain = { buf: new ArrayBuffer(4) };
  t.is(toReply(plain, job), plain, 'results without shared buffers pass unchanged');
});
