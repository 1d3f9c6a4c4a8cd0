import test from 'ava';
import { SkiffError } from '../errors/errors.ts';
import { FaultStorage } from './fault-storage.ts';
import { MemStorage } from './mem-storage.ts';
import { RetryStorage } from './retry-storage.ts';
import { randomId } from './storage.contract.ts';
import type { FileInfo, Handle } from './storage.ts';

async function failures(seed: number): Promise<boolean[]> {
  const f = new FaultStorage(new MemStorage(), { failRate: 0.3, seed, kinds: ['stat'] });
  const out: boolean[] = [];
  for (let i = 0; i < 50; i++) {
    out.push(await f.stat({ type: 'key', name: randomId() }).then(() => false, (e: SkiffError) => e.code === 'Transient'));
  }
  return out;
}

test('fault: the same seed fails the same calls, at about the requested rate', async (t) => {
  const a = await failures(7);
  t.deepEqual(await failures(7), a);
  t.notDeepEqual(await failures(8), a);
  const n = a.filter(Boolean).length;
  t.true(n > 5 && n < 25, `${n} of 50`);
});

test('fault: only the chosen kinds fail', async (t) => {
  const mem = new MemStorage();
  const f = new FaultStorage(mem, { failRate: 1, seed: 1, kinds: ['load'] });
  const h: Handle = { type: 'index', name: randomId() };
  await f.save(h, Buffer.from('x'));
  t.is((await f.stat(h)).size, 1);
  const err = await t.throwsAsync(f.load(h), { instanceOf: SkiffError });
  t.is(err?.code, 'Transient');
  t.regex(err?.message ?? '', /^injected fault: load of index /);
  t.is(f.faults, 1);
});

test('fault: lost responses still perform the save', async (t) => {
  const mem = new MemStorage();
  const f = new FaultStorage(mem, { failRate: 1, seed: 3, kinds: ['save'], lostResponses: true });
  let performed = 0;
  for (let i = 0; i < 20; i++) {
    await t.throwsAsync(f.save({ type: 'data', name: randomId() }, Buffer.from('p')));
  }
  performed = mem.objects.size;
  t.true(performed > 2 && performed < 18, `${performed} of 20 saved`);
});

test('fault + retry: every operation succeeds through RetryStorage at a 30% fault rate', async (t) => {
  const mem = new MemStorage();
  const faulty = new FaultStorage(mem, { failRate: 0.3, seed: 42, lostResponses: true });
  let retries = 0;
  const s = new RetryStorage(faulty, { attempts: 12, sleep: async () => {}, onRetry: () => void retries++ });
  const handles = Array.from({ length: 40 }, () => ({ type: 'data' as const, name: randomId() }));
  for (const h of handles) await s.save(h, Buffer.from(h.name));
  for (const h of handles) t.is((await s.load(h)).toString(), h.name);
  const listed: FileInfo[] = [];
  for await (const x of s.list('data')) listed.push(x);
  t.is(listed.length, 40, 'a listing restarted after a fault yields each name once');
  t.is(new Set(listed.map((x) => x.name)).size, 40);
  for (const h of handles.slice(0, 10)) await s.remove(h);
  t.is(mem.objects.size, 30);
  t.true(faulty.faults > 10, `${faulty.faults} faults`);
  t.is(retries, faulty.faults);
});

test('retry storage: gives up after its attempts and rethrows the Transient error', async (t) => {
  const s = new RetryStorage(new FaultStorage(new MemStorage(), { failRate: 1, seed: 1 }), { attempts: 3, sleep: async () => {} });
  const err = await t.throwsAsync(s.stat({ type: 'key', name: randomId() }), { instanceOf: SkiffError });
  t.is(err?.code, 'Transient');
});

test('fault and retry: loadInto fails as load does and is retried until it fills the buffer', async (t) => {
  const mem = new MemStorage();
  const h: Handle = { type: 'data', name: randomId() };
  const data = Buffer.from('0123456789abcdef');
  await mem.save(h, data);
  const always = new FaultStorage(mem, { failRate: 1, seed: 1, kinds: ['load'] });
  const err = await t.throwsAsync(always.loadInto(h, new Uint8Array(4)), { instanceOf: SkiffError });
  t.is(err?.code, 'Transient');
  const faulty = new FaultStorage(mem, { failRate: 0.5, seed: 5, kinds: ['load'] });
  const retried = new RetryStorage(faulty, { attempts: 20, sleep: async () => undefined });
  for (let i = 0; i < 8; i++) {
    const into = new Uint8Array(6);
    await retried.loadInto(h, into, { offset: i });
    t.deepEqual(Buffer.from(into), data.subarray(i, i + 6));
  }
  t.true(faulty.faults > 0, 'some reads failed and were retried');
  const short = await t.throwsAsync(retried.loadInto(h, new Uint8Array(20)), { instanceOf: SkiffError });
  t.is(short?.code, 'Integrity', 'a short object is not retried into success');
});
