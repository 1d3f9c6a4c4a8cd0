import test from 'ava';
import { randomBytes } from 'node:crypto';
import { zstdDecompressSync } from 'node:zlib';
import { compressFrame } from '../format/index.ts';
import { compressForBlobInBatch } from './compress.ts';
import { compressFrameReused, resetScratch } from './zstd-reuse.ts';

function text(n: number, seed: number): Buffer {
  let s = '';
  while (s.length < n) s += `line ${seed} ${s.length} lorem ipsum dolor sit amet\n`;
  return Buffer.from(s.slice(0, n));
}

test('reused-context frames decode to their input, stay valid through the batch, and are byte for byte what compressFrame writes for small blobs', (t) => {
  const inputs: Buffer[] = [];
  for (let i = 0; i < 300; i++) inputs.push(i % 3 === 0 ? randomBytes(1 + ((i * 7919) % 20000)) : text(1 + ((i * 104729) % 40000), i));
  inputs.push(text(3 << 20, 1), randomBytes(1 << 20), Buffer.alloc(5 << 20));
  for (const level of [3, 1, 19]) {
    resetScratch();
    const frames = inputs.map((b) => compressFrameReused(b, level));
    frames.forEach((f, i) => {
      t.truthy(f, `input ${i} took the fast path`);
      // for large inputs node:zlib's 16 KiB output pieces make zstd write the frame differently (no content size)
      if (inputs[i]!.length <= 64 * 1024) t.deepEqual(Buffer.from(f!), compressFrame(inputs[i]!, level), `input ${i} level ${level}`);
      t.deepEqual(zstdDecompressSync(f!), inputs[i]!);
    });
  }
  t.is(compressFrameReused(Buffer.alloc(0), 3), undefined, 'empty input is the caller’s');
});

test('compressForBlobInBatch stores incompressible data as is and compresses the rest', (t) => {
  resetScratch();
  const random = randomBytes(100_000);
  t.deepEqual(compressForBlobInBatch(random, 3), { payload: random, ulen: 0 });
  const plain = text(50_000, 9);
  const c = compressForBlobInBatch(plain, 3);
  t.is(c.ulen, plain.length);
  t.deepEqual(zstdDecompressSync(c.payload), plain);
  t.deepEqual(compressForBlobInBatch(plain, 0), { payload: plain, ulen: 0 });
});
