import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newMasterKey, open, seal } from '../crypto/index.ts';
import { decompressBlob } from '../format/index.ts';
import { runJob } from './jobs.ts';
import { rawKey } from './job-keys.ts';
import { looksCompressible } from './compress.ts';
import { FILE_BLOB, FILE_CHANGED, FILE_EMPTY, FILE_ERROR, sealGap } from './protocol.ts';
import { filesJob } from './files-job.ts';

const key = newMasterKey();
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest();
const text = (n: number) => Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(Math.ceil(n / 44))).subarray(0, n);

/** Opens the sealed blobs of a seal result and returns their plaintexts. */
function unseal(out: ArrayBufferLike, lengths: Uint32Array, ulens: Uint32Array): Buffer[] {
  const plains: Buffer[] = [];
  let at = 0;
  lengths.forEach((len, i) => {
    const plain = open(key, new Uint8Array(out, at, len));
    plains.push(ulens[i] ? decompressBlob(plain, ulens[i]!) : plain);
    at += len;
  });
  return plains;
}

test('hash gives the SHA-256 of each range and hands the buffer back', (t) => {
  const data = randomBytes(10_000);
  const buf = new Uint8Array(data).buffer;
  const r = runJob({ op: 'hash', buf, ranges: Uint32Array.of(0, 100, 100, 9900) });
  t.is(r.buf, buf);
  t.deepEqual(Buffer.from(r.ids.subarray(0, 32)), sha(data.subarray(0, 100)));
  t.deepEqual(Buffer.from(r.ids.subarray(32, 64)), sha(data.subarray(100)));
});

test('seal in place: with the gap the blobs are written over the input, and open to the plaintexts', (t) => {
  const parts = [randomBytes(300_000), text(200_000), randomBytes(5), text(70_000)];
  const gap = sealGap(parts.length);
  const buf = new ArrayBuffer(gap + parts.reduce((a, p) => a + p.length, 0));
  const ranges: number[] = [];
  let at = gap;
  for (const p of parts) {
    new Uint8Array(buf).set(p, at);
    ranges.push(at, p.length);
    at += p.length;
  }
  const r = runJob({ op: 'seal', buf, ranges: Uint32Array.from(ranges), key: rawKey(key), level: 3 });
  t.is(r.out, buf, 'no second buffer');
  t.deepEqual(unseal(r.out, r.lengths, r.ulens), parts);
  t.is(r.ulens[0], 0, 'random data is stored uncompressed');
  t.is(r.ulens[1], 200_000, 'text is compressed');
});

test('seal without the gap (or out of order) falls back to a new output buffer', (t) => {
  const a = text(1000);
  const b = randomBytes(2000);
  const buf = new Uint8Array(Buffer.concat([b, a])).buffer;
  const r = runJob({ op: 'seal', buf, ranges: Uint32Array.of(2000, 1000, 0, 2000), key: rawKey(key), level: 3 });
  t.not(r.out, buf);
  t.deepEqual(unseal(r.out, r.lengths, r.ulens), [a, b]);
  t.deepEqual(Buffer.from(buf, 0, 2000), b, 'input left alone');
});

test('level 0 stores blobs uncompressed (repository v1, compression off)', (t) => {
  const r = runJob({ op: 'seal', buf: new Uint8Array(text(5000)).buffer, ranges: Uint32Array.of(0, 5000), key: rawKey(key), level: 0 });
  t.is(r.ulens[0], 0);
  t.is(r.lengths[0], 5032);
});

test('incompressible blobs skip zstd; text, zeros and small blobs do not', (t) => {
  t.false(looksCompressible(randomBytes(1 << 20)));
  t.true(looksCompressible(text(1 << 20)));
  t.true(looksCompressible(Buffer.alloc(1 << 20)));
  t.true(looksCompressible(randomBytes(60_000)), 'under 64 KiB zstd decides');
  // random with a compressible stretch in the middle that a sample lands in
  t.true(looksCompressible(Buffer.concat([randomBytes(300_000), text(500_000), randomBytes(300_000)])));
});

test('files: reads, hashes and seals whole files; reports changed, empty and unreadable ones', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'skiff-jobs-'));
  try {
    const a = path.join(dir, 'a');
    const grown = path.join(dir, 'grown');
    const empty = path.join(dir, 'empty');
    writeFileSync(a, text(3000));
    writeFileSync(grown, 'longer than announced');
    writeFileSync(empty, '');
    const b = path.join(dir, 'b');
    writeFileSync(b, text(500).subarray(100));
    const paths = [a, grown, empty, path.join(dir, 'missing'), b].map((p) => Buffer.from(p));
    const r = runJob(filesJob(paths, [3000, 5, 0, 10, 400], rawKey(key), 3));
    t.deepEqual([...r.kinds], [FILE_BLOB, FILE_CHANGED, FILE_EMPTY, FILE_ERROR, FILE_BLOB]);
    t.deepEqual(Buffer.from(r.ids.subarray(0, 32)), sha(text(3000)));
    t.deepEqual(Buffer.from(r.ids.subarray(32, 128)), Buffer.alloc(96), 'no ID for files without a blob');
    t.deepEqual(Buffer.from(r.ids.subarray(128)), sha(text(500).subarray(100)));
    t.deepEqual([...r.lengths.subarray(1, 4)], [0, 0, 0]);
    // the sealed blobs are back to back in file order
    const blob = (at: number, i: number) => {
      const plain = open(key, new Uint8Array(r.out, at, r.lengths[i]!));
      return r.ulens[i] ? decompressBlob(plain, r.ulens[i]!) : plain;
    };
    t.deepEqual(blob(0, 0), text(3000));
    t.deepEqual(blob(r.lengths[0]!, 4), text(500).subarray(100));
    t.is(r.errors.length, 1);
    t.is(r.errors[0]!.file, 3);
    t.is(r.errors[0]!.code, 'ENOENT');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const T = { sec: 1704164645n, nsec: 123456789 };
const meta = (perm: number) => ({ uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, perm, atime: T, mtime: T });

test('restore: creates owned files at their size, writes blobs at their offsets, leaves zeros as holes, reports damage, applies metadata', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'skiff-jobs-'));
  try {
    const one = text(100_000);
    const zeros = Buffer.alloc(200_000);
    const bad = randomBytes(1000);
    const sealed = [seal(key, one), seal(key, zeros), seal(key, bad)];
    sealed[2]![40]! ^= 1;
    const buf = new Uint8Array(Buffer.concat(sealed)).buffer;
    const ids = Buffer.concat([sha(one), sha(zeros), sha(bad)]);
    const f = path.join(dir, 'f');
    const g = path.join(dir, 'g');
    const h = path.join(dir, 'h');
    mkdirSync(path.join(g, 'in the way'), { recursive: true }); // an owned file replaces whatever is there
    writeFileSync(h, Buffer.alloc(300_000, 1)); // h is not owned: it exists at its size and is only written
    // f = one ‖ zeros ‖ one; g = zeros ‖ bad; h = one at 0
    const job = {
      op: 'restore',
      buf,
      ranges: Uint32Array.of(0, sealed[0]!.length, sealed[0]!.length, sealed[1]!.length, sealed[0]!.length + sealed[1]!.length, sealed[2]!.length),
      ids,
      ulens: Uint32Array.of(0, 0, 0),
      key: rawKey(key),
      paths: [Buffer.from(f), Buffer.from(g), Buffer.from(h)],
      sizes: Float64Array.of(400_000, 201_000, 300_000),
      own: Uint8Array.of(1, 1, 0),
      meta: [meta(0o640), null, null],
      isRoot: process.getuid?.() === 0,
      tBlob: Uint32Array.of(0, 0, 0, 1, 1, 2),
      tPath: Uint32Array.of(0, 0, 2, 0, 1, 1),
      tOffset: Float64Array.of(0, 300_000, 0, 100_000, 0, 200_000),
      tLen: Float64Array.of(100_000, 100_000, 100_000, 200_000, 200_000, 1000),
      sparse: true,
    } as const;
    const r = runJob(job);
    t.deepEqual(r.fileErrors, []);
    t.deepEqual(r.metaErrors, []);
    t.is(statSync(f).mode & 0o7777, 0o640);
    t.is(statSync(f, { bigint: true }).mtimeNs, 1704164645123456789n);
    t.is(statSync(f, { bigint: true }).atimeNs, 1704164645123456789n); // before reading it (relatime)
    t.deepEqual(readFileSync(f), Buffer.concat([one, zeros, one]));
    t.true(statSync(f).blocks * 512 < 400_000, 'the zero blob is a hole');
    t.true(statSync(g).isFile());
    t.is(statSync(g).size, 201_000, 'the damaged tail is left as zeros at the right size');
    t.deepEqual(readFileSync(h), Buffer.concat([one, Buffer.alloc(200_000, 1)]));
    t.deepEqual(r.blobErrors.slice(0, 2), [null, null]);
    t.regex(r.blobErrors[2] ?? '', /verification failed/);
    t.is(r.bytes, 500_000 + 200_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('restore: an owned file no blob reaches is still created at its size; a file that cannot be opened is an error for it alone', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'skiff-jobs-'));
  try {
    const f = path.join(dir, 'f');
    const missing = path.join(dir, 'missing');
    const r = runJob({
      op: 'restore',
      buf: new ArrayBuffer(0),
      ranges: new Uint32Array(0),
      ids: new Uint8Array(0),
      ulens: new Uint32Array(0),
      key: rawKey(key),
      paths: [Buffer.from(f), Buffer.from(path.join(dir, 'no', 'such')), Buffer.from(missing)],
      sizes: Float64Array.of(5000, 10, 10),
      own: Uint8Array.of(1, 1, 0),
      meta: [meta(0o600), meta(0o600), null],
      isRoot: false,
      tBlob: new Uint32Array(0),
      tPath: new Uint32Array(0),
      tOffset: new Float64Array(0),
      tLen: new Float64Array(0),
      sparse: true,
    });
    t.is(statSync(f).size, 5000);
    t.is(statSync(f, { bigint: true }).mtimeNs, 1704164645123456789n);
    t.deepEqual(r.fileErrors.map((e) => e.path), [1]);
    t.regex(r.fileErrors[0]!.message, /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('files: reading leaves the access time alone (O_NOATIME where the owner may use it)', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'skiff-jobs-'));
  try {
    const f = path.join(dir, 'f');
    writeFileSync(f, 'content\n');
    const past = new Date('2001-02-03T04:05:06Z');
    utimesSync(f, past, new Date()); // atime before mtime and ctime: relatime would update it
    const r = runJob(filesJob([Buffer.from(f)], [8], rawKey(key), 3));
    t.is(r.kinds[0], FILE_BLOB);
    if (process.getuid?.() === 0 || statSync(f).uid === process.getuid?.()) t.is(statSync(f).atimeMs, past.getTime());
    else t.pass('not the owner: O_NOATIME is not allowed, atime may change');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
