import test from 'ava';
import { MemStorage } from '../storage/mem-storage.ts';
import { initRepository, openRepository } from '../repo/open.ts';
import { acquireLock, listLocks, unlock } from './lock.ts';

const KDF = { N: 1024, r: 8, p: 1 };

test('exclusive locks conflict with everything, shared ones only with exclusive; the message says who and since when', async (t) => {
  const storage = new MemStorage();
  await initRepository(storage, 'pw', { kdf: KDF });
  const a = await openRepository(storage, 'pw', { hostname: 'host-a', username: 'alice' });
  const b = await openRepository(storage, 'pw', { hostname: 'host-b', username: 'bob' });
  const shared1 = await acquireLock(a, { exclusive: false, settleMs: 1 });
  const shared2 = await acquireLock(b, { exclusive: false, settleMs: 1 });
  const err = await t.throwsAsync(acquireLock(b, { exclusive: true, settleMs: 1 }));
  t.regex(err!.message, new RegExp(`locked by PID ${process.pid} on host-a by alice since \\d{4}-`));
  await shared1.release();
  await shared2.release();
  const excl = await acquireLock(a, { exclusive: true, settleMs: 1 });
  const err2 = await t.throwsAsync(acquireLock(b, { exclusive: false, settleMs: 1 }));
  t.regex(err2!.message, /locked exclusively by PID/);
  await excl.release();
  t.is((await listLocks(a)).length, 0);
});

test('stale locks (old, or a dead process on this host) never block and are removed on the way', async (t) => {
  const storage = new MemStorage();
  await initRepository(storage, 'pw', { kdf: KDF });
  let now = new Date('2026-01-01T00:00:00Z');
  const past = await openRepository(storage, 'pw', { hostname: 'crashed-node', now: () => now });
  await acquireLock(past, { exclusive: true, settleMs: 1 }); // never released: the process "crashed"
  now = new Date('2026-01-01T00:31:00Z');
  const later = await openRepository(storage, 'pw', { hostname: 'other', now: () => now });
  t.true((await listLocks(later))[0]!.stale);
  const l = await acquireLock(later, { exclusive: true, settleMs: 1 });
  t.is((await listLocks(later)).length, 1, 'the stale lock was removed');
  await l.release();
  // same host, dead PID: stale at once
  const sameHost = await openRepository(storage, 'pw', { hostname: 'node-1', now: () => now });
  await acquireLock(sameHost, { exclusive: true, settleMs: 1, pidAlive: () => true });
  t.false((await listLocks(sameHost, () => true))[0]!.stale);
  t.true((await listLocks(sameHost, () => false))[0]!.stale);
  t.deepEqual((await unlock(sameHost, { pidAlive: () => false })).length, 1);
  t.is((await listLocks(sameHost)).length, 0);
});

test('a held lock is refreshed: a new lock file replaces the old one', async (t) => {
  const storage = new MemStorage();
  const repo = await initRepository(storage, 'pw', { kdf: KDF });
  const held = await acquireLock(repo, { exclusive: false, settleMs: 1, refreshMs: 20 });
  const first = held.id;
  await new Promise((r) => setTimeout(r, 80));
  t.not(held.id, first);
  t.is((await listLocks(repo)).length, 1);
  await held.release();
  t.is((await listLocks(repo)).length, 0);
});
