import test from 'ava';
import { SkiffError } from '../errors/errors.ts';
import { initRepository } from '../repo/open.ts';
import type { Repository } from '../repo/repository.ts';
import { saveSnapshot } from '../snapshot/snapshots.ts';
import { MemStorage } from '../storage/mem-storage.ts';
import { encodeTree } from '../tree/index.ts';
import { forget } from './forget.ts';
import { parseGroupBy } from './group.ts';

const NOW = new Date('2024-06-01T00:00:00Z');

async function repoWith(list: [string, string, string[]?][]): Promise<{ repo: Repository; storage: MemStorage; ids: Record<string, string> }> {
  const storage = new MemStorage();
  const repo = await initRepository(storage, 'pw', { kdf: { N: 1024, r: 8, p: 1 }, now: () => NOW });
  const tree = (await repo.saveBlob('tree', encodeTree([]))).id.toString('hex');
  await repo.flush();
  const ids: Record<string, string> = {};
  for (const [name, time, tags] of list) {
    const [host, day] = name.split('-');
    ids[name] = await saveSnapshot(repo, { time: `2024-05-${day}T${time}Z`, tree, paths: ['/d'], hostname: host!, ...(tags ? { tags } : {}) });
  }
  return { repo, storage, ids };
}

const left = async (repo: Repository) => (await repo.listIds('snapshot')).map((f) => f.name).sort();

test('a policy applies per host+paths group; a dry run deletes nothing', async (t) => {
  const { repo, ids } = await repoWith([['a-01', '10:00:00'], ['a-02', '10:00:00'], ['a-03', '10:00:00'], ['b-01', '10:00:00'], ['b-02', '10:00:00']]);
  const dry = await forget(repo, { policy: { last: 1 }, dryRun: true, locked: true });
  t.true(dry.dryRun);
  t.deepEqual(dry.groups.map((g) => [g.key.hostname, g.keep.map((e) => e.id), g.remove.length]), [['a', [ids['a-03']], 2], ['b', [ids['b-02']], 1]]);
  t.deepEqual(dry.removed.sort(), [ids['a-01'], ids['a-02'], ids['b-01']].sort());
  t.is((await left(repo)).length, 5);
  const real = await forget(repo, { policy: { last: 1 }, locked: true });
  t.deepEqual(real.removed.sort(), dry.removed.sort());
  t.deepEqual(await left(repo), [ids['a-03'], ids['b-02']].sort());
});

test('group-by "" puts everything in one group; filters narrow what is considered', async (t) => {
  const { repo, ids } = await repoWith([['a-01', '10:00:00', ['x']], ['a-02', '10:00:00'], ['b-03', '10:00:00', ['x', 'y']]]);
  const one = await forget(repo, { policy: { last: 1 }, groupBy: parseGroupBy(''), dryRun: true, locked: true });
  t.is(one.groups.length, 1);
  t.deepEqual(one.groups[0]!.keep.map((e) => e.id), [ids['b-03']]);
  const tagged = await forget(repo, { policy: { last: 1 }, groupBy: parseGroupBy(''), filter: { tags: [['x']] }, locked: true });
  t.deepEqual(tagged.removed, [ids['a-01']]);
  t.deepEqual(await left(repo), [ids['a-02'], ids['b-03']].sort());
});

test('snapshots by ID (prefix or latest) are removed; mixing IDs with a policy is refused', async (t) => {
  const { repo, ids } = await repoWith([['a-01', '10:00:00'], ['a-02', '10:00:00'], ['a-03', '10:00:00']]);
  const err = await t.throwsAsync(forget(repo, { snapshots: [ids['a-01']!], policy: { last: 1 }, locked: true }), { instanceOf: SkiffError });
  t.is(err?.code, 'Config');
  const r = await forget(repo, { snapshots: [ids['a-01']!.slice(0, 8), 'latest'], locked: true });
  t.deepEqual(r.removed.sort(), [ids['a-01'], ids['a-03']].sort());
  t.deepEqual(r.groups, []);
  t.deepEqual(await left(repo), [ids['a-02']]);
  t.is((await t.throwsAsync(forget(repo, { snapshots: ['ffffffff'], locked: true }), { instanceOf: SkiffError }))?.code, 'NotFound');
});

test('safety: no policy, or a policy emptying a group, is refused; remove-all needs a filter', async (t) => {
  const { repo, ids } = await repoWith([['a-01', '10:00:00'], ['b-02', '10:00:00']]);
  await t.throwsAsync(forget(repo, { locked: true }), { message: /no policy was specified/ });
  await t.throwsAsync(forget(repo, { policy: { tags: [['none']] }, locked: true }), { message: /refusing to delete last snapshot of snapshot group "host a, paths \[\/d\]"/ });
  await t.throwsAsync(forget(repo, { unsafeAllowRemoveAll: true, locked: true }), { message: /not allowed unless a snapshot filter/ });
  t.is((await left(repo)).length, 2);
  const r = await forget(repo, { unsafeAllowRemoveAll: true, filter: { hosts: ['b'] }, locked: true });
  t.deepEqual(r.removed, [ids['b-02']]);
  t.deepEqual(await left(repo), [ids['a-01']]);
});

test('a damaged snapshot is skipped with a warning, never removed; the lock is released', async (t) => {
  const { repo, storage, ids } = await repoWith([['a-01', '10:00:00'], ['a-02', '10:00:00'], ['a-03', '10:00:00']]);
  const key = `snapshots/${ids['a-01']}`;
  storage.objects.set(key, Buffer.from('garbage'));
  const r = await forget(repo, { policy: { last: 1 } });
  t.deepEqual(r.removed, [ids['a-02']]);
  t.is(r.warnings.length, 1);
  t.regex(r.warnings[0]!, new RegExp(`snapshot ${ids['a-01']!.slice(0, 8)} skipped`));
  t.true(storage.objects.has(key));
  t.deepEqual(await repo.listIds('lock'), []);
});
