/**
 * Go's `strconv.Quote` (without the outer quotes) and `strconv.Unquote` for tree node names
 * (restic-format.md §9.4). Names are raw byte strings; quoting makes any byte sequence
 * representable in JSON, and unquoting gives the exact bytes back.
 */
import { SkiffError } from '../errors/errors.ts';
import { GO_PRINT_RANGES } from './go-print-table.ts';
import { decodeRune } from './utf8.ts';

/**
 * Go 1.19's `strconv.IsPrint` (letters, marks, numbers, punctuation, symbols and ASCII space),
 * from Go's own Unicode 13 tables so names quote exactly as restic 0.14 quotes them.
 */
export function isGoPrint(r: number): boolean {
  if (r <= 0xff) {
    if (r >= 0x20 && r <= 0x7e) return true;
    return r >= 0xa1 && r !== 0xad;
  }
  let lo = 0;
  let hi = GO_PRINT_RANGES.length / 2;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((GO_PRINT_RANGES[2 * mid + 1] ?? 0) < r) lo = mid + 1;
    else hi = mid;
  }
  return (GO_PRINT_RANGES[2 * lo] ?? Infinity) <= r;
}

const SHORT: Readonly<Record<number, string>> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
};

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function quoteRune(r: number): string {
  if (r === 0x22 || r === 0x5c) return '\\' + String.fromCharCode(r);
  if (isGoPrint(r)) return String.fromCodePoint(r);
  const short = SHORT[r];
  if (short !== undefined) return short;
  if (r < 0x20 || r === 0x7f) return '\\x' + hex(r, 2);
  if (r < 0x10000) return '\\u' + hex(r, 4);
  return '\\U' + hex(r, 8);
}

/** `strconv.Quote(string(name))` without the surrounding double quotes. */
export function goQuote(name: Uint8Array): string {
  let out = '';
  for (let i = 0; i < name.length; ) {
    const { rune, width } = decodeRune(name, i);
    if (width === 1 && rune === 0xfffd) {
      out += '\\x' + hex(name[i] ?? 0, 2);
    } else {
      out += quoteRune(rune);
    }
    i += width;
  }
  return out;
}

function syntaxError(s: string): SkiffError {
  const shown = s.length > 80 ? s.slice(0, 80) + '…' : s;
  return new SkiffError('Integrity', `invalid quoted name ${JSON.stringify(shown)}: Unquote: invalid syntax`);
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

const SIMPLE: Readonly<Record<number, number>> = {
  0x61: 0x07, // a
  0x62: 0x08, // b
  0x66: 0x0c, // f
  0x6e: 0x0a, // n
  0x72: 0x0d, // r
  0x74: 0x09, // t
  0x76: 0x0b, // v
  0x5c: 0x5c, // backslash
  0x22: 0x22, // double quote
};

/**
 * `strconv.Unquote('"' + s + '"')` returning the raw bytes. Throws SkiffError `Integrity` on
 * invalid syntax (a raw `"` or newline, a lone or unknown `\` escape, a bad hex or octal digit,
 * an invalid code point) exactly where Go does.
 */
export function goUnquote(s: string): Buffer {
  // Go's JSON decoder has already replaced lone surrogates by U+FFFD; Buffer.from does the same.
  const b = Buffer.from(s, 'utf8');
  if (!b.includes(0x5c) && !b.includes(0x22) && !b.includes(0x0a)) return b;
  const out: number[] = [];
  for (let i = 0; i < b.length; ) {
    const c = b[i] ?? 0;
    if (c === 0x22 || c === 0x0a) throw syntaxError(s);
    if (c !== 0x5c) {
      out.push(c);
      i++;
      continue;
    }
    const e = b[i + 1];
    if (e === undefined) throw syntaxError(s);
    i += 2;
    const simple = SIMPLE[e];
    if (simple !== undefined) {
      out.push(simple);
    } else if (e === 0x78 || e === 0x75 || e === 0x55) {
      const n = e === 0x78 ? 2 : e === 0x75 ? 4 : 8;
      let v = 0;
      for (let j = 0; j < n; j++) {
        const d = hexValue(b[i + j]);
        if (d < 0) throw syntaxError(s);
        v = v * 16 + d;
      }
      i += n;
      if (e === 0x78) {
        out.push(v);
      } else {
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw syntaxError(s);
        for (const byte of Buffer.from(String.fromCodePoint(v), 'utf8')) out.push(byte);
      }
    } else if (e >= 0x30 && e <= 0x37) {
      let v = e - 0x30;
      for (let j = 0; j < 2; j++) {
        const d = (b[i + j] ?? 0) - 0x30;
        if (d < 0 || d > 7) throw syntaxError(s);
        v = v * 8 + d;
      }
      i += 2;
      if (v > 255) throw syntaxError(s);
      out.push(v);
    } else {
      throw syntaxError(s);
    }
  }
  return Buffer.from(out);
}
