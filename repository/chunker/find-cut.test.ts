import test from 'ava';
import { createHash } from 'node:crypto';
import { isCode } from '../errors/errors.ts';
import { chunkBuffer, findCut, makeChunkerParams, type ChunkerParams } from './index.ts';
import { referenceCut, seededBytes } from './test-data.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const secretA = new Uint8Array(32).fill(7);
const secretB = new Uint8Array(32).fill(8);
const params = makeChunkerParams(secretA);
const small = makeChunkerParams(secretA, { min: 64, avg: 256, max: 1024 });

function assertSizes(t: { true(v: boolean, m?: string): void }, p: ChunkerParams, lengths: number[]): void {
  lengths.forEach((len, i) => {
    const last = i === lengths.length - 1;
    t.true(len <= p.max && (last || len > p.min), `chunk ${i} has ${len} bytes`);
  });
}

test('the unrolled loop agrees with the plain reference on every range', (t) => {
  const data = seededBytes(64 * KiB, 1);
  const shapes = [
    small,
    makeChunkerParams(secretA, { min: 0, avg: 64, max: 100 }),
    makeChunkerParams(secretA, { min: 250, avg: 256, max: 2000 }), // maskS region under 32 bytes
    makeChunkerParams(secretA, { min: 1000, avg: 4096, max: 5000 }),
  ];
  for (const p of shapes) {
    let cuts = 0;
    for (let k = 0; k < 2000; k++) {
      const start = (k * 7919) % (data.length - 6000);
      const end = start + ((k * 104729) % 6000);
      const expected = referenceCut(p, data, start, end);
      t.is(findCut(p, data, start, end), expected, `${JSON.stringify({ ...p, gear: 0 })} [${start}, ${end})`);
      if (expected > 0 && expected < p.max) cuts++;
    }
    t.true(cuts > 300, `only ${cuts} ranges contained a content-defined cut`);
  }
  const big = seededBytes(10 * MiB, 2);
  t.deepEqual(chunkBuffer(params, big).slice(0, 8), referenceLengths(params, big).slice(0, 8));
});

function referenceLengths(p: ChunkerParams, data: Uint8Array): number[] {
  const out: number[] = [];
  for (let s = 0; s < data.length;) {
    const c = referenceCut(p, data, s, data.length);
    const len = c < 0 ? data.length - s : c;
    out.push(len);
    s += len;
  }
  return out;
}

test('findCut returns -1 without a cut under max bytes, and never more than max', (t) => {
  const zeros = new Uint8Array(9 * MiB);
  t.is(findCut(params, zeros, 0, params.min), -1);
  t.is(findCut(params, zeros, 0, params.max - 1), -1);
  t.is(findCut(params, zeros, 0, params.max), params.max);
  t.is(findCut(params, zeros, 5, zeros.length), params.max);
  const data = seededBytes(3 * MiB, 3);
  const cut = findCut(params, data, 0, data.length);
  t.true(cut > params.min && cut < params.max);
  t.is(findCut(params, data, 0, cut - 1), -1, 'the byte that completes the cut must be present');
  t.is(findCut(params, data, 0, cut), cut);
  t.true(isCode(t.throws(() => findCut(params, data, 10, 5)), 'Permanent'));
  t.true(isCode(t.throws(() => findCut(params, data, 0, data.length + 1)), 'Permanent'));
});

test('chunkBuffer handles empty and tiny inputs', (t) => {
  t.deepEqual(chunkBuffer(params, new Uint8Array(0)), []);
  t.deepEqual(chunkBuffer(params, new Uint8Array(1)), [1]);
  t.deepEqual(chunkBuffer(params, seededBytes(params.min, 4)), [params.min]);
});

test('same key and data give the same cuts; another key gives other cuts', (t) => {
  const data = seededBytes(20 * MiB, 5);
  const a = chunkBuffer(params, data);
  t.deepEqual(chunkBuffer(makeChunkerParams(secretA.slice()), data), a);
  const b = chunkBuffer(makeChunkerParams(secretB), data);
  t.notDeepEqual(b, a);
  const cutsA = new Set(offsets(a));
  const shared = offsets(b).filter((o) => cutsA.has(o)).length;
  t.true(shared <= 2, `${shared} of ${b.length} cut points shared across keys`);
  assertSizes(t, params, a);
  assertSizes(t, params, b);
});

function offsets(lengths: number[]): number[] {
  let at = 0;
  return lengths.map((len) => (at += len));
}

test('zeros are cut at max', (t) => {
  t.deepEqual(chunkBuffer(params, new Uint8Array(20 * MiB)), [8 * MiB, 8 * MiB, 4 * MiB]);
});

test('mean chunk size on 64 MiB of random data is within 25% of avg', (t) => {
  const lengths = chunkBuffer(params, seededBytes(64 * MiB, 6));
  assertSizes(t, params, lengths);
  const mean = (64 * MiB) / lengths.length;
  t.true(Math.abs(mean - params.avg) <= 0.25 * params.avg, `mean ${Math.round(mean)} bytes over ${lengths.length} chunks`);
});

test('inserting 100 bytes near the start leaves later chunks unchanged', (t) => {
  const data = seededBytes(32 * MiB, 7);
  const edited = new Uint8Array(data.length + 100);
  edited.set(data.subarray(0, 1000));
  edited.set(seededBytes(100, 8), 1000);
  edited.set(data.subarray(1000), 1100);
  const before = new Set(chunkHashes(data));
  const after = chunkHashes(edited);
  const changed = after.filter((h) => !before.has(h)).length;
  t.true(after.length > 16);
  t.true(changed <= 2, `${changed} of ${after.length} chunks changed`);
});

function chunkHashes(data: Uint8Array): string[] {
  let at = 0;
  return chunkBuffer(params, data).map((len) => {
    const hash = createHash('sha256').update(data.subarray(at, at + len)).digest('hex');
    at += len;
    return hash;
  });
}

// Expected lengths computed by an independent Python implementation of the rule in README.md
// (same key, same xorshift32 data). A change here breaks dedup against existing repositories.
test('cut points are pinned to the documented rule', (t) => {
  t.deepEqual(chunkBuffer(params, seededBytes(6 * MiB, 22)), [1050273, 814340, 1776387, 1174714, 1247870, 227872]);
  t.deepEqual(chunkBuffer(small, seededBytes(20000, 21)).slice(0, 16), [
    166, 433, 315, 364, 389, 190, 204, 232, 201, 214, 234, 172, 286, 374, 170, 610,
  ]);
});
