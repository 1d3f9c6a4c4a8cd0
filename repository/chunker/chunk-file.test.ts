import test from 'ava';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCode } from '../errors/errors.ts';
import { chunkBuffer, chunkFile, makeChunkerParams, type ChunkSource, type ChunkerParams } from './index.ts';
import { seededBytes } from './test-data.ts';

const MiB = 1024 * 1024;
const params = makeChunkerParams(new Uint8Array(32).fill(7));
const small = makeChunkerParams(new Uint8Array(32).fill(7), { min: 64, avg: 256, max: 1024 });

/** An in-memory source that returns at most `maxRead` bytes per read, like a pipe or short pread. */
function memorySource(data: Uint8Array, maxRead = Infinity): ChunkSource & { reads: number } {
  return {
    reads: 0,
    async read(buffer, offset, length, position) {
      this.reads++;
      const n = Math.max(0, Math.min(length, maxRead, data.length - position));
      buffer.set(data.subarray(position, position + n), offset);
      return { bytesRead: n };
    },
  };
}

async function collect(source: ChunkSource, p: ChunkerParams, bufferSize?: number): Promise<{ data: Buffer; offset: number }[]> {
  const out = [];
  for await (const chunk of chunkFile(source, p, bufferSize === undefined ? {} : { bufferSize })) out.push(chunk);
  return out;
}

async function assertAgrees(t: import('ava').ExecutionContext, data: Uint8Array, p: ChunkerParams, maxRead?: number, bufferSize?: number): Promise<void> {
  const chunks = await collect(memorySource(data, maxRead), p, bufferSize);
  t.deepEqual(chunks.map((c) => c.data.length), chunkBuffer(p, data), `${data.length} bytes`);
  let at = 0;
  for (const { data: bytes, offset } of chunks) {
    t.is(offset, at);
    t.true(bytes.equals(data.subarray(at, at + bytes.length)), `chunk at ${at} differs`);
    at += bytes.length;
  }
  t.is(at, data.length);
}

test('chunkFile agrees with chunkBuffer around the size limits', async (t) => {
  for (const size of [0, 1, params.min - 1, params.min, params.max + 1]) {
    await assertAgrees(t, seededBytes(size, size + 1), params);
  }
});

test('chunkFile agrees with chunkBuffer on 20 MiB of random data and of zeros', async (t) => {
  await assertAgrees(t, seededBytes(20 * MiB, 11), params);
  const zeros = new Uint8Array(20 * MiB);
  await assertAgrees(t, zeros, params);
  t.deepEqual(chunkBuffer(params, zeros), [8 * MiB, 8 * MiB, 4 * MiB]);
});

test('short reads and the smallest buffer still give the same chunks', async (t) => {
  const data = seededBytes(200_000, 12);
  await assertAgrees(t, data, small, 333, small.max + 1);
  await assertAgrees(t, data, small, 1, 4096);
  await assertAgrees(t, new Uint8Array(10_000), small, 700, small.max + 1);
});

test('each chunk owns its whole ArrayBuffer, so keeping or transferring it is safe', async (t) => {
  const data = seededBytes(300_000, 13);
  const chunks = await collect(memorySource(data, 5000), small, 2048);
  t.true(chunks.length > 100);
  const buffers = new Set<ArrayBufferLike>();
  for (const { data: bytes } of chunks) {
    t.is(bytes.byteOffset, 0);
    t.is(bytes.buffer.byteLength, bytes.length);
    buffers.add(bytes.buffer);
  }
  t.is(buffers.size, chunks.length);
  t.true(Buffer.concat(chunks.map((c) => c.data)).equals(data), 'chunks were overwritten after being yielded');
});

test('chunkFile reads a real file through a FileHandle', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-chunker-'));
  try {
    const data = seededBytes(5 * MiB + 17, 14);
    await writeFile(join(dir, 'f'), data);
    const fh = await open(join(dir, 'f'), 'r');
    try {
      const chunks = await collect(fh, params);
      t.deepEqual(chunks.map((c) => c.data.length), chunkBuffer(params, data));
    } finally {
      await fh.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('aborting stops chunking with Cancelled', async (t) => {
  const controller = new AbortController();
  const seen: number[] = [];
  const err = await t.throwsAsync(async () => {
    for await (const chunk of chunkFile(memorySource(seededBytes(100_000, 15)), small, { signal: controller.signal })) {
      seen.push(chunk.offset);
      if (seen.length === 3) controller.abort();
    }
  });
  t.true(isCode(err, 'Cancelled'));
  t.is(seen.length, 3);
});

test('a buffer not larger than max is refused; read errors propagate', async (t) => {
  const err = await t.throwsAsync(collect(memorySource(new Uint8Array(10)), small, small.max));
  t.true(isCode(err, 'Config'));
  const failing: ChunkSource = { read: async () => Promise.reject(new Error('EIO')) };
  await t.throwsAsync(collect(failing, small), { message: 'EIO' });
});
