/**
 * Prune never loses data: with a damaged used blob, a damaged tree or a missing pack it refuses
 * with a clear Integrity error and deletes nothing. A dry run changes nothing at all.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { MemStorage, SkiffError, forget, loadSnapshot, prune } from '../../repository/index.ts';
import { layoutPath } from '../../repository/storage/storage.ts';
import { indexListing, makeScenario, reachable, type Scenario } from './scenario.ts';

let work: string;
test.before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'skiff-prune-refuse-'));
});
test.after.always(async () => {
  await rm(work, { recursive: true, force: true });
});

async function forgotten(name: string): Promise<{ s: Scenario; storage: MemStorage; used: Set<string> }> {
  const storage = new MemStorage();
  const s = await makeScenario(storage, path.join(work, name));
  await forget(s.repo, { snapshots: [s.forgotten] });
  const roots = await Promise.all([...s.kept.keys()].map(async (id) => (await loadSnapshot(s.repo, id)).snapshot.tree));
  return { s, storage, used: await reachable(s.repo, roots) };
}

const copyOf = (m: Map<string, Buffer>) => new Map([...m].map(([k, v]) => [k, Buffer.from(v)]));

function flipByte(storage: MemStorage, packId: string, at: number): void {
  const key = layoutPath({ type: 'data', name: packId });
  const bytes = storage.objects.get(key)!;
  bytes[at] = bytes[at]! ^ 0x55;
}

/** Every object that existed before still exists with the same bytes (new ones may have been added). */
function nothingLost(t: { true: (v: boolean, m?: string) => void }, before: Map<string, Buffer>, after: Map<string, Buffer>): void {
  for (const [k, v] of before) {
    if (k.startsWith('locks/')) continue;
    t.true(after.get(k)?.equals(v) ?? false, `${k} kept unchanged`);
  }
}

test('a damaged used blob in a pack to repack: prune refuses and deletes nothing', async (t) => {
  const { s, storage, used } = await forgotten('damaged-blob');
  const dry = await prune(s.repo, { dryRun: true });
  const packId = dry.plan.repack[0]!;
  t.truthy(packId, 'the scenario has a pack to repack');
  const victim = (await indexListing(s.repo)).get(packId)!.find((b) => b.type === 'data' && used.has(b.id))!;
  flipByte(storage, packId, victim.offset + 40);
  const before = copyOf(storage.objects);
  const err = await t.throwsAsync(prune(s.repo), { instanceOf: SkiffError });
  t.is(err?.code, 'Integrity');
  t.regex(err!.message, new RegExp(`data blob ${victim.id.slice(0, 8)} in pack ${packId.slice(0, 8)} is damaged`));
  nothingLost(t, before, storage.objects);
  t.is((await s.repo.listIds('snapshot')).length, 2);
});

test('a damaged tree of a kept snapshot: prune refuses before writing anything', async (t) => {
  const { s, storage } = await forgotten('damaged-tree');
  const [keptId] = s.kept.keys();
  const root = Buffer.from((await loadSnapshot(s.repo, keptId!)).snapshot.tree, 'hex');
  const loc = s.repo.index.get(root)!;
  flipByte(storage, loc.packId, loc.offset + 20);
  const before = copyOf(storage.objects);
  const err = await t.throwsAsync(prune(s.repo), { instanceOf: SkiffError });
  t.is(err?.code, 'Integrity');
  t.regex(err!.message, /tree used by a snapshot cannot be read .*damaged.*prune refuses to run/);
  t.deepEqual([...storage.objects.keys()].sort(), [...before.keys()].filter((k) => !k.startsWith('locks/')).sort());
  nothingLost(t, before, storage.objects);
});

test('a missing pack that holds used data: prune refuses and deletes nothing', async (t) => {
  const { s, storage, used } = await forgotten('missing-pack');
  const listing = await indexListing(s.repo);
  const [packId] = [...listing].find(([, blobs]) => blobs.every((b) => used.has(b.id)))!;
  storage.objects.delete(layoutPath({ type: 'data', name: packId }));
  const before = copyOf(storage.objects);
  const err = await t.throwsAsync(prune(s.repo), { instanceOf: SkiffError });
  t.is(err?.code, 'Integrity');
  t.regex(err!.message, new RegExp(`1 pack\\(s\\) holding used data are missing from storage \\(${packId.slice(0, 8)}\\)`));
  t.deepEqual([...storage.objects.keys()].sort(), [...before.keys()].sort());
});

test('a dry run reports the plan and changes nothing', async (t) => {
  const { s, storage } = await forgotten('dry-run');
  const before = copyOf(storage.objects);
  const phases = new Set<string>();
  const res = await prune(s.repo, { dryRun: true, onProgress: (p) => phases.add(p.phase) });
  t.true(res.dryRun);
  t.true(res.plan.remove.length > 0 && res.plan.repack.length > 0);
  t.true(res.summary.pruneSize > 0);
  t.deepEqual([...phases].sort(), ['find used blobs', 'load index']);
  t.deepEqual([...storage.objects.keys()].sort(), [...before.keys()].sort());
  nothingLost(t, before, storage.objects);
});

test('forget --prune --dry-run: prune can treat snapshots as already gone', async (t) => {
  const storage = new MemStorage();
  const s = await makeScenario(storage, path.join(work, 'ignore'));
  const before = copyOf(storage.objects);
  const all = await prune(s.repo, { dryRun: true });
  t.deepEqual([all.plan.remove, all.plan.repack], [[], []], 'every pack is used while the snapshot exists');
  const without = await prune(s.repo, { dryRun: true, ignoreSnapshots: [s.forgotten] });
  t.true(without.plan.remove.length > 0 && without.plan.repack.length > 0);
  t.is(without.snapshots, 2);
  t.deepEqual([...storage.objects.keys()].sort(), [...before.keys()].sort());
});
