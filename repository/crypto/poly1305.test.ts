import test from 'ava';
import { randomBytes } from 'node:crypto';
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import { poly1305Mac } from './poly1305.ts';

test('RFC 8439 §2.5.2 Poly1305 vector', (t) => {
  const key = Buffer.from('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b', 'hex');
  const msg = Buffer.from('Cryptographic Forum Research Group');
  t.is(Buffer.from(poly1305Mac(key, msg)).toString('hex'), 'a8061dc1305136c6c22b8baf0c0127a9');
});

/** Textbook BigInt Poly1305, independent of any library. */
function referenceMac(key: Uint8Array, msg: Uint8Array): Buffer {
  const le = (b: Uint8Array): bigint => BigInt('0x' + (Buffer.from(b).reverse().toString('hex') || '0'));
  const p = (1n << 130n) - 5n;
  const r = le(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const block = msg.subarray(i, i + 16);
    acc = ((acc + le(block) + (1n << BigInt(8 * block.length))) * r) % p;
  }
  const tag = (acc + le(key.subarray(16, 32))) & ((1n << 128n) - 1n);
  return Buffer.from(tag.toString(16).padStart(32, '0'), 'hex').reverse();
}

test('agrees with @noble/ciphers and a BigInt reference on random keys and lengths', (t) => {
  for (let i = 0; i < 200; i++) {
    const key = randomBytes(32);
    const msg = randomBytes(i < 100 ? i : (i * 997) % 5000);
    const mac = Buffer.from(poly1305Mac(key, msg));
    t.deepEqual(mac, Buffer.from(poly1305(msg, key)));
    t.deepEqual(mac, referenceMac(key, msg));
  }
});

test('agrees with @noble/ciphers across the 64 KiB WebAssembly buffer boundary and on long messages', (t) => {
  const lengths = [65519, 65520, 65535, 65536, 65537, 65552, 131072 + 7, 1_000_003];
  for (const n of lengths) {
    const key = randomBytes(32);
    const msg = randomBytes(n);
    t.deepEqual(Buffer.from(poly1305Mac(key, msg)), Buffer.from(poly1305(msg, key)), `length ${n}`);
  }
});

test('agrees with the BigInt reference on extreme keys and messages (all-ones, all-zero)', (t) => {
  const ones = Buffer.alloc(32, 0xff);
  const zero = Buffer.alloc(32, 0);
  for (const key of [ones, zero, Buffer.concat([ones.subarray(0, 16), zero.subarray(0, 16)])]) {
    for (const msg of [Buffer.alloc(0), Buffer.alloc(16, 0xff), Buffer.alloc(1000, 0xff), Buffer.alloc(33, 0)]) {
      t.deepEqual(Buffer.from(poly1305Mac(key, msg)), referenceMac(key, msg));
    }
  }
});

test('agrees with both references when the accumulator ends near p (final conditional subtraction)', (t) => {
  // r = 1, s = 0 and all-ones blocks: the accumulator lands just around p = 2^130 - 5
  const key = Buffer.from('01000000000000000000000000000000' + '00000000000000000000000000000000', 'hex');
  const msg = Buffer.from('fbffffffffffffffffffffffffffffff' + 'feffffffffffffffffffffffffffffff' + '03000000000000000000000000000000', 'hex');
  t.deepEqual(Buffer.from(poly1305Mac(key, msg)), referenceMac(key, msg));
  t.deepEqual(Buffer.from(poly1305Mac(key, msg)), Buffer.from(poly1305(msg, key)));
});
