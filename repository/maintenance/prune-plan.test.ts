import { createHash } from 'node:crypto';
import test from 'ava';
import { SkiffError } from '../errors/errors.ts';
import type { BlobType, IndexBlob } from '../format/index.ts';
import { BlobSet } from './blob-set.ts';
import { parseMaxUnused } from './limits.ts';
import { planPrune, summarize, type PlanOptions } from './prune-plan.ts';

const MiB = 1024 * 1024;
const hex = (s: string) => createHash('sha256').update(s).digest('hex');

interface FakeBlob {
  name: string;
  size: number;
  type?: BlobType;
  compressed?: boolean;
}

/** A repository picture: packs (name → blobs), which blob names are used, which packs are stored. */
function setup(packs: Record<string, FakeBlob[]>, usedNames: string[], opts: { unstored?: string[]; extraStored?: Record<string, number>; sizeDelta?: Record<string, number> } = {}) {
  const listing = new Map<string, IndexBlob[]>();
  const stored = new Map<string, number>();
  for (const [name, blobs] of Object.entries(packs)) {
    let offset = 0;
    let size = 36;
    const list = blobs.map((b) => {
      const e: IndexBlob = { id: hex(b.name), type: b.type ?? 'data', offset, length: b.size, ...(b.compressed ? { uncompressedLength: b.size * 2 } : {}) };
      offset += b.size;
      size += b.size + (b.compressed ? 41 : 37);
      return e;
    });
    listing.set(hex(name), list);
    if (!opts.unstored?.includes(name)) stored.set(hex(name), size + (opts.sizeDelta?.[name] ?? 0));
  }
  for (const [name, size] of Object.entries(opts.extraStored ?? {})) stored.set(hex(name), size);
  const used = { data: new BlobSet(), tree: new BlobSet() };
  const typeOf = new Map(Object.values(packs).flat().map((b) => [b.name, b.type ?? 'data']));
  for (const n of usedNames) (typeOf.get(n) === 'tree' ? used.tree : used.data).add(Buffer.from(hex(n), 'hex'));
  return { packs: listing, stored, used, version: 2 as const, packSize: 16 * MiB };
}

const names = (ids: readonly string[], input: Record<string, unknown>) => {
  const byHex = new Map(Object.keys(input).map((n) => [hex(n), n]));
  return ids.map((id) => byHex.get(id) ?? id).sort();
};
const data = (name: string, size = 4 * MiB, compressed = true): FakeBlob => ({ name, size, compressed });

function plan(packs: Record<string, FakeBlob[]>, used: string[], opts: PlanOptions = {}, extra: Parameters<typeof setup>[2] = {}) {
  const input = setup(packs, used, extra);
  const p = planPrune(input, opts);
  const all = { ...packs, ...(extra.extraStored ?? {}) };
  return { p, input, keep: names(p.keep, all), repack: names(p.repack, all), remove: names(p.remove, all), unref: names(p.unreferenced, all), missing: names(p.forgetMissing, all) };
}

const mixedRepo = {
  full: [data('f1'), data('f2'), data('f3'), data('f4')],
  gone: [data('g1'), data('g2'), data('g3'), data('g4')],
  half: [data('h1'), data('h2'), data('x1'), data('x2')],
};
const mixedUsed = ['f1', 'f2', 'f3', 'f4', 'h1', 'h2'];

test('fully used packs stay, unused ones go, partly used ones are repacked when unused space exceeds 5%', (t) => {
  const r = plan(mixedRepo, mixedUsed, {}, { extraStored: { stray: 1234 } });
  t.deepEqual(r.keep, ['full']);
  t.deepEqual(r.remove, ['gone']);
  t.deepEqual(r.repack, ['half']);
  t.deepEqual(r.unref, ['stray']);
  const s = r.p.stats;
  t.deepEqual(s.blobs, { used: 6, duplicate: 0, unused: 6, remove: 4, repack: 4, repackrm: 2 });
  t.is(s.size.used, 24 * MiB);
  t.is(s.size.unref, 1234);
  t.is(s.size.repackrm, 8 * MiB);
  const m = summarize(s);
  t.is(m.pruneSize, 24 * MiB + 1234);
  t.is(m.remainingSize, 24 * MiB);
  t.is(m.unusedAfter, 0);
  // used blobs in kept packs are marked 2, those to copy out of repacked packs stay 1
  t.is(r.input.used.data.get(Buffer.from(hex('f1'), 'hex')), 2);
  t.is(r.input.used.data.get(Buffer.from(hex('h1'), 'hex')), 1);
});

test('partly used packs stay while the unused space is within --max-unused', (t) => {
  // 8 MiB unused remain after removing "gone", 24 MiB used: 26% of the result tolerates 8.4 MiB,
  // 25% exactly 8 MiB (must be below), the default 5% far less; unlimited never repacks
  t.deepEqual(plan(mixedRepo, mixedUsed, { maxUnused: parseMaxUnused('26%') }).repack, []);
  t.deepEqual(plan(mixedRepo, mixedUsed, { maxUnused: parseMaxUnused('25%') }).repack, ['half']);
  t.deepEqual(plan(mixedRepo, mixedUsed).repack, ['half']);
  t.deepEqual(plan(mixedRepo, mixedUsed, { maxUnused: parseMaxUnused('9M') }).repack, []);
  t.deepEqual(plan(mixedRepo, mixedUsed, { maxUnused: parseMaxUnused('8M') }).repack, ['half']);
  t.deepEqual(plan(mixedRepo, mixedUsed, { maxUnused: parseMaxUnused('unlimited') }).keep, ['full', 'half']);
});

test('the packs with the most unused space are repacked first, up to --max-repack-size', (t) => {
  const packs = {
    a: [data('a1'), data('a2'), data('a3'), data('ax')],
    b: [data('b1'), data('bx'), data('by'), data('bz')],
    c: [data('c1'), data('c2'), data('cx'), data('cy')],
  };
  const used = ['a1', 'a2', 'a3', 'b1', 'c1', 'c2'];
  t.deepEqual(plan(packs, used, { maxUnused: parseMaxUnused('0%') }).repack, ['a', 'b', 'c']);
  // 24 MiB used: 40% tolerates 16 MiB; b (12 MiB unused) goes first, then 12 MiB remain - enough
  t.deepEqual(plan(packs, used, { maxUnused: parseMaxUnused('40%') }).repack, ['b']);
  t.deepEqual(plan(packs, used, { maxUnused: parseMaxUnused('0%'), maxRepackBytes: 33 * MiB }).repack, ['b', 'c']);
});

test('tree packs and mixed packs with unused blobs are always repacked, data packs by threshold', (t) => {
  const packs = {
    trees: [{ name: 't1', size: MiB, type: 'tree' as const, compressed: true }, { name: 't2', size: MiB, type: 'tree' as const, compressed: true }],
    mixed: [{ name: 't3', size: MiB, type: 'tree' as const, compressed: true }, data('d1'), data('d2')],
    big: [data('d3'), data('d4'), data('d5'), data('dx', MiB)],
  };
  const r = plan(packs, ['t1', 't3', 'd1', 'd3', 'd4', 'd5'], { maxUnused: parseMaxUnused('unlimited') });
  t.deepEqual(r.repack, ['mixed', 'trees']);
  t.deepEqual(r.keep, ['big']);
});

test('uncompressed tree packs are repacked in v2 even when fully used', (t) => {
  const packs = { trees: [{ name: 't1', size: MiB, type: 'tree' as const }], data: [data('d1')] };
  const r = plan(packs, ['t1', 'd1']);
  t.deepEqual(r.repack, ['trees']);
  t.deepEqual(plan(packs, ['t1', 'd1'], { repackUncompressed: true }).repack, ['trees']);
  const plainData = { d: [data('d1', 4 * MiB, false)] };
  t.deepEqual(plan(plainData, ['d1']).repack, []);
  t.deepEqual(plan(plainData, ['d1'], { repackUncompressed: true }).repack, ['d']);
});

test('small fully used packs are repacked only when there are at least 10', (t) => {
  const few: Record<string, FakeBlob[]> = {};
  for (let i = 0; i < 9; i++) few[`s${i}`] = [data(`b${i}`, 1000)];
  t.deepEqual(plan(few, Object.values(few).flat().map((b) => b.name)).repack, []);
  const many = { ...few, s9: [data('b9', 1000)] };
  t.is(plan(many, Object.values(many).flat().map((b) => b.name)).repack.length, 10);
});

test('a duplicated used blob is counted once; the copy beside other used blobs wins', (t) => {
  const packs = { p1: [data('u1'), data('dup')], p2: [data('dup'), data('old')] };
  const r = plan(packs, ['u1', 'dup'], { maxUnused: parseMaxUnused('0%') });
  t.deepEqual(r.keep, ['p1']);
  t.deepEqual(r.remove, ['p2']);
  t.deepEqual(r.p.stats.blobs, { used: 2, duplicate: 1, unused: 1, remove: 2, repack: 0, repackrm: 0 });
});

test('a used blob in no index refuses the prune', (t) => {
  const input = setup(mixedRepo, mixedUsed);
  input.used.data.add(Buffer.from(hex('nowhere'), 'hex'));
  const err = t.throws(() => planPrune(input), { instanceOf: SkiffError });
  t.is(err?.code, 'Integrity');
  t.regex(err!.message, /1 data blob\(s\) used by snapshots are in no index .*refuses/);
});

test('a needed pack missing from storage or of the wrong size refuses; an unneeded one is dropped', (t) => {
  const missing = t.throws(() => plan(mixedRepo, mixedUsed, {}, { unstored: ['half'] }), { instanceOf: SkiffError });
  t.regex(missing!.message, /1 pack\(s\) holding used data are missing/);
  const size = t.throws(() => plan(mixedRepo, mixedUsed, {}, { sizeDelta: { full: -1 } }), { instanceOf: SkiffError });
  t.regex(size!.message, /is \d+ bytes but the index says \d+/);
  const r = plan(mixedRepo, mixedUsed, {}, { unstored: ['gone'], sizeDelta: {} });
  t.deepEqual(r.missing, ['gone']);
  t.deepEqual(r.remove, []);
  t.deepEqual(plan(mixedRepo, mixedUsed, {}, { sizeDelta: { gone: 5 } }).remove, ['gone']);
});
