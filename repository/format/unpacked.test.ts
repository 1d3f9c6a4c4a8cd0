import test from 'ava';
import { isCode } from '../errors/errors.ts';
import { decodeUnpacked, encodeUnpacked } from './unpacked.ts';

const json = Buffer.from(JSON.stringify({ packs: Array.from({ length: 50 }, (_, i) => ({ id: 'ab'.repeat(32), n: i })) }) + '\n');

test('v2 compressed: 0x02 ‖ zstd, decodes back', (t) => {
  const payload = encodeUnpacked(json, { version: 2, compress: true });
  t.is(payload[0], 0x02);
  t.true(payload.length < json.length);
  t.deepEqual(decodeUnpacked(payload, 2), json);
});

test('v2 uncompressed and v1 are raw JSON; v1 ignores compress', (t) => {
  t.deepEqual(encodeUnpacked(json, { version: 2, compress: false }), json);
  t.deepEqual(encodeUnpacked(json, { version: 1, compress: true }), json);
  t.deepEqual(decodeUnpacked(json, 2), json);
  t.deepEqual(decodeUnpacked(json, 1), json);
  const arr = Buffer.from('[{"id":"x"}]');
  t.deepEqual(decodeUnpacked(arr, 2), arr);
});

test('v2 compress falls back to raw JSON for tiny documents', (t) => {
  const tiny = Buffer.from('{"a":1}');
  t.deepEqual(encodeUnpacked(tiny, { version: 2, compress: true }), tiny);
});

test('empty payload passes through; other first bytes are Integrity errors naming the byte', (t) => {
  t.is(decodeUnpacked(Buffer.alloc(0), 2).length, 0);
  const err = t.throws(() => decodeUnpacked(Buffer.from([0x01, 0x7b]), 2));
  t.true(isCode(err, 'Integrity'));
  t.regex(err!.message, /0x01/);
  t.regex(t.throws(() => decodeUnpacked(Buffer.from(' {}'), 2))!.message, /0x20/);
  t.true(isCode(t.throws(() => decodeUnpacked(Buffer.from([0x02, 1, 2, 3]), 2)), 'Integrity'));
});

test('v1 never interprets the first byte', (t) => {
  const odd = Buffer.from([0x02, 0x7b]);
  t.deepEqual(decodeUnpacked(odd, 1), odd);
});
