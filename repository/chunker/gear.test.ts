import test from 'ava';
import { createHmac } from 'node:crypto';
import { isCode } from '../errors/errors.ts';
import { gearTableFromKey, makeChunkerParams, validateChunkerParams, DEFAULT_SIZES } from './index.ts';

const secret = new Uint8Array(32).map((_, i) => i);

test('gear table follows the documented HMAC-SHA256 derivation', (t) => {
  const gear = gearTableFromKey(secret);
  t.is(gear.length, 256);
  const block = (c: number): Buffer => {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(c);
    return createHmac('sha256', secret).update('skiff fastcdc gear v1').update(counter).digest();
  };
  t.is(gear[0], block(0).readUInt32LE(0));
  t.is(gear[9], block(1).readUInt32LE(4));
  t.is(gear[255], block(31).readUInt32LE(28));
});

// Values computed independently with Python's hmac module.
test('gear table is pinned: a change here breaks dedup against existing repositories', (t) => {
  const gear = gearTableFromKey(secret);
  t.deepEqual(
    [gear[0], gear[1], gear[128], gear[255]].map((v) => v!.toString(16).padStart(8, '0')),
    ['a75229c8', 'ccf487ec', '56c0da43', '8cac2d9e'],
  );
});

test('different secrets give different tables; equal secrets equal tables', (t) => {
  const other = secret.slice();
  other[0] = 255;
  t.notDeepEqual(gearTableFromKey(secret), gearTableFromKey(other));
  t.deepEqual(gearTableFromKey(secret), gearTableFromKey(secret.slice()));
});

test('short secrets are refused without echoing them', (t) => {
  const err = t.throws(() => gearTableFromKey(new Uint8Array(15).fill(0x41)));
  t.true(isCode(err, 'Config'));
  t.false(err.message.includes('AAAA'));
});

test('sizes are validated', (t) => {
  const bad = [
    { min: 1024, avg: 1024, max: 4096 },
    { min: 0, avg: 1000, max: 4096 },
    { min: 0, avg: 1024, max: 1024 },
    { min: -1, avg: 1024, max: 4096 },
    { min: 0.5, avg: 1024, max: 4096 },
    { min: 0, avg: 32, max: 4096 },
    { min: 0, avg: 1024, max: 2 ** 31 },
  ];
  for (const sizes of bad) t.true(isCode(t.throws(() => makeChunkerParams(secret, sizes)), 'Config'), JSON.stringify(sizes));
  const ok = makeChunkerParams(secret);
  t.deepEqual({ min: ok.min, avg: ok.avg, max: ok.max }, DEFAULT_SIZES);
  t.true(isCode(t.throws(() => validateChunkerParams({ ...ok, gear: new Uint32Array(255) })), 'Config'));
});
