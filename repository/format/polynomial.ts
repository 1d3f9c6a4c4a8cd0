import { randomBytes } from 'node:crypto';
import { SkiffError } from '../errors/errors.ts';

/** Polynomials over GF(2) as bigints: bit i is the coefficient of X^i (§9.10). */

function degree(p: bigint): number {
  return p === 0n ? -1 : p.toString(2).length - 1;
}

/** a mod m, carry-less. */
function mod(a: bigint, m: bigint): bigint {
  const dm = degree(m);
  for (let d = degree(a); d >= dm; d--) {
    if ((a >> BigInt(d)) & 1n) a ^= m << BigInt(d - dm);
  }
  return a;
}

/** (a · b) mod m, carry-less, for a, b of degree below deg(m). Horner over the bits of a. */
function mulMod(a: bigint, b: bigint, m: bigint): bigint {
  const dm = BigInt(degree(m));
  let res = 0n;
  for (let i = degree(a); i >= 0; i--) {
    res <<= 1n;
    if ((res >> dm) & 1n) res ^= m;
    if ((a >> BigInt(i)) & 1n) res ^= b;
  }
  return res;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, mod(a, b)];
  return a;
}

/** Ben-Or: f is irreducible iff gcd(f, X^(2^i) − X mod f) = 1 for i = 1 .. ⌊deg f / 2⌋. */
export function isIrreducible(pol: bigint): boolean {
  const d = degree(pol);
  if (d < 1) return false;
  let x = mod(2n, pol);
  for (let i = 1; i <= d >> 1; i++) {
    x = mulMod(x, x, pol);
    if (gcd(pol, x ^ 2n) !== 1n) return false;
  }
  return true;
}

/**
 * A random irreducible polynomial of degree 53, drawn as restic does: 8 random bytes read little-endian,
 * masked to 54 bits, with bits 53 and 0 set. `random` must be a CSPRNG in production.
 */
export function generatePolynomial(random: (n: number) => Uint8Array = randomBytes): bigint {
  for (let i = 0; i < 1_000_000; i++) {
    const buf = random(8);
    if (buf.length !== 8) throw new SkiffError('Permanent', 'random source returned the wrong length');
    let f = Buffer.from(buf.buffer, buf.byteOffset, 8).readBigUInt64LE(0);
    f &= (1n << 54n) - 1n;
    f |= (1n << 53n) | 1n;
    if (isIrreducible(f)) return f;
  }
  throw new SkiffError('Permanent', 'unable to find an irreducible polynomial');
}

/** Lowercase hex, no prefix or padding, as in `config`. */
export function polynomialToHex(pol: bigint): string {
  return pol.toString(16);
}

/** Hex of any case, 1–16 digits (Go's ParseUint base 16); Integrity error otherwise. */
export function polynomialFromHex(hex: string): bigint {
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) {
    throw new SkiffError('Integrity', 'invalid chunker polynomial: not a 64-bit hex number');
  }
  return BigInt('0x' + hex);
}
