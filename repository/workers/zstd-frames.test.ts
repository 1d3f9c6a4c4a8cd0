import test from 'ava';
import { randomBytes } from 'node:crypto';
import { compressFrame } from '../format/index.ts';
import { decompressFrameReused, forget } from './zstd-frames.ts';

const text = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => 'abcdefgh \n'[(i * seed + (i >> 7)) % 10]!).join(''));

test('decodes frame after frame with one context, exactly as zstd does', (t) => {
  for (let i = 1; i < 200; i++) {
    const plain = text(37 * i, i);
    const got = decompressFrameReused(compressFrame(plain), plain.length);
    t.true(got !== undefined && Buffer.from(got).equals(plain), `frame ${i}`);
  }
});

test('answers undefined (decompress the ordinary way) for corrupt frames, wrong lengths, extra input; keeps working after', (t) => {
  const plain = text(10_000, 3);
  const frame = compressFrame(plain);
  const corrupt = Buffer.from(frame);
  for (let i = 8; i < corrupt.length; i += 7) corrupt[i]! ^= 0x5a;
  t.is(decompressFrameReused(corrupt, plain.length), undefined);
  t.is(decompressFrameReused(randomBytes(500), plain.length), undefined);
  t.is(decompressFrameReused(frame, plain.length - 1), undefined, 'longer than expected');
  t.is(decompressFrameReused(frame, plain.length + 1), undefined, 'shorter than expected');
  t.is(decompressFrameReused(frame.subarray(0, frame.length - 3), plain.length), undefined, 'truncated');
  t.is(decompressFrameReused(Buffer.concat([frame, frame]), plain.length), undefined, 'a second frame');
  const again = decompressFrameReused(frame, plain.length);
  t.true(again !== undefined && Buffer.from(again).equals(plain));
});

test('after forget the next frame gets a fresh context', (t) => {
  const plain = text(5000, 7);
  const frame = compressFrame(plain);
  // half a frame leaves the context mid-frame: it answers undefined and starts over itself
  t.is(decompressFrameReused(frame.subarray(0, frame.length >> 1), plain.length), undefined);
  forget();
  const got = decompressFrameReused(frame, plain.length);
  t.true(got !== undefined && Buffer.from(got).equals(plain));
});
