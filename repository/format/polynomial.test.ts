import test from 'ava';
import { randomBytes } from 'node:crypto';
import { isCode } from '../errors/errors.ts';
import { generatePolynomial, isIrreducible, polynomialFromHex, polynomialToHex } from './polynomial.ts';

test('known restic polynomials are irreducible', (t) => {
  t.true(isIrreducible(polynomialFromHex('3da3358b4dc173')));
  t.true(isIrreducible(polynomialFromHex('2cd2e88c56a9c1')));
  t.true(isIrreducible(polynomialFromHex('2CD2E88C56A9C1')));
});

test('reducible polynomials are rejected', (t) => {
  t.false(isIrreducible((1n << 53n) | 1n)); // X^53 + 1 = (X + 1)(…)
  t.false(isIrreducible(polynomialFromHex('3da3358b4dc173') ^ 1n)); // divisible by X
  t.false(isIrreducible(0b111n * 0b1011n)); // (X²+X+1)(X³+X+1)
  t.true(isIrreducible(0b1011n));
  t.false(isIrreducible(0n));
  t.false(isIrreducible(1n));
});

test('a product of two irreducible polynomials is reducible', (t) => {
  const a = 0b10000011n; // X^7 + X + 1, irreducible
  t.true(isIrreducible(a));
  let prod = 0n; // carry-less a * a
  for (let i = 0n; i < 8n; i++) if ((a >> i) & 1n) prod ^= a << i;
  t.false(isIrreducible(prod));
});

test('generated polynomials have degree 53, are irreducible, and generation is fast', (t) => {
  const start = performance.now();
  for (let i = 0; i < 10; i++) {
    const p = generatePolynomial();
    t.is(p >> 53n, 1n);
    t.is(p & 1n, 1n);
    t.true(isIrreducible(p));
  }
  const ms = (performance.now() - start) / 10;
  t.true(ms < 200, `${ms.toFixed(1)} ms per polynomial`);
  t.log(`${ms.toFixed(1)} ms per polynomial`);
});

test('generation follows restic: little-endian, masked to 54 bits, bits 53 and 0 set', (t) => {
  let calls = 0;
  const fixed = (n: number): Uint8Array => {
    calls++;
    // First draw: all zero → X^53 + 1, reducible; then real randomness.
    return calls === 1 ? new Uint8Array(n) : randomBytes(n);
  };
  const p = generatePolynomial(fixed);
  t.true(calls >= 2);
  t.true(isIrreducible(p));
  const lePick = (): Uint8Array => Buffer.from('73c14d8b35a33dff', 'hex'); // 0xff3da3358b4dc173 LE
  t.is(polynomialToHex(generatePolynomial(lePick)), '3da3358b4dc173');
});

test('hex encoding', (t) => {
  t.is(polynomialToHex(0x3da3358b4dc173n), '3da3358b4dc173');
  for (const bad of ['', '0x12', 'xyz', '1'.repeat(17), ' 12']) {
    t.true(isCode(t.throws(() => polynomialFromHex(bad)), 'Integrity'), bad);
  }
});
