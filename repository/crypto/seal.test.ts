import test from 'ava';
import { createCipheriv, randomBytes } from 'node:crypto';
import { isCode } from '../errors/errors.ts';
import { newMasterKey } from './master-key.ts';
import { OVERHEAD, open, seal, sealWithNonce } from './seal.ts';
import { VECTOR, vectorKey } from './test-vectors.ts';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

test('§2.3 vector: sealWithNonce gives the exact 46 bytes', (t) => {
  const key = vectorKey();
  t.is(key.macR.toString('hex'), VECTOR.rClamped);
  const ecb = createCipheriv('aes-128-ecb', key.macK, null).setAutoPadding(false);
  t.is(ecb.update(hex(VECTOR.nonce)).toString('hex'), '6fc1bc488626c63379001750bfcfa080');
  const sealed = sealWithNonce(key, hex(VECTOR.nonce), Buffer.from(VECTOR.plaintext));
  t.is(sealed.length, 46);
  t.is(sealed.toString('hex'), VECTOR.nonce + VECTOR.ciphertext + VECTOR.tag);
  t.is(open(key, sealed).toString(), VECTOR.plaintext);
});

test('seal/open round trip, random nonces, overhead 32', (t) => {
  const key = newMasterKey();
  for (const n of [0, 1, 15, 16, 17, 1000, 70_000]) {
    const p = randomBytes(n);
    const a = seal(key, p);
    const b = seal(key, p);
    t.is(a.length, n + OVERHEAD);
    t.notDeepEqual(a.subarray(0, 16), b.subarray(0, 16));
    t.deepEqual(open(key, a), p);
  }
});

test('open works on a subarray of a larger buffer', (t) => {
  const key = newMasterKey();
  const p = randomBytes(100);
  const sealed = seal(key, p);
  const big = Buffer.concat([randomBytes(7), sealed, randomBytes(9)]);
  t.deepEqual(open(key, big.subarray(7, 7 + sealed.length)), p);
});

test('open rejects every single flipped bit, truncation and short input', (t) => {
  const key = vectorKey();
  const sealed = sealWithNonce(key, hex(VECTOR.nonce), Buffer.from(VECTOR.plaintext));
  for (let i = 0; i < sealed.length * 8; i++) {
    const bad = Buffer.from(sealed);
    bad[i >> 3]! ^= 1 << (i & 7);
    const err = t.throws(() => open(key, bad));
    t.true(isCode(err, 'Integrity'), `bit ${i}`);
  }
  t.throws(() => open(key, sealed.subarray(0, sealed.length - 1)), { message: /verification failed/ });
  t.throws(() => open(key, sealed.subarray(1)), { message: /verification failed/ });
  t.throws(() => open(key, Buffer.alloc(31, 1)), { message: 'ciphertext verification failed' });
});

test('open rejects a wrong key', (t) => {
  const sealed = seal(newMasterKey(), Buffer.from('secret'));
  t.true(isCode(t.throws(() => open(newMasterKey(), sealed)), 'Integrity'));
});

test('open rejects an all-zero nonce even with a valid tag', (t) => {
  const key = newMasterKey();
  const sealed = sealWithNonce(key, Buffer.alloc(16), Buffer.from('x'));
  t.true(isCode(t.throws(() => open(key, sealed)), 'Integrity'));
  const empty = sealWithNonce(key, Buffer.alloc(16), Buffer.alloc(0));
  t.true(isCode(t.throws(() => open(key, empty)), 'Integrity'));
});

test('an empty plaintext seals to 32 bytes and opens', (t) => {
  const key = newMasterKey();
  const sealed = seal(key, new Uint8Array(0));
  t.is(sealed.length, 32);
  t.is(open(key, sealed).length, 0);
});

test('sealing in cipher slices equals one-shot AES-256-CTR plus Poly1305-AES (@noble) for multi-slice plaintexts', async (t) => {
  const { poly1305 } = await import('@noble/ciphers/_poly1305.js');
  const key = newMasterKey();
  const nonce = randomBytes(16);
  for (const n of [256 * 1024 - 1, 256 * 1024, 256 * 1024 + 1, 1_000_003]) {
    const p = randomBytes(n);
    const sealed = sealWithNonce(key, nonce, p);
    const ct = createCipheriv('aes-256-ctr', key.encrypt, nonce).update(p);
    const s = createCipheriv('aes-128-ecb', key.macK, null).setAutoPadding(false).update(nonce);
    const tag = poly1305(ct, Buffer.concat([key.macR, s]));
    t.deepEqual(sealed, Buffer.concat([nonce, ct, tag]), `length ${n}`);
    t.deepEqual(open(key, sealed), p);
  }
});
