/**
 * Go `encoding/json` string encoding as go1.19 (restic 0.14's toolchain) writes it, and a JSON
 * reader that keeps uint64 fields exact (restic-format.md §9.6).
 */
import { SkiffError } from '../errors/errors.ts';
import { decodeRune } from './utf8.ts';

// Escapes for ASCII; undefined means the byte is written raw. Go escapes control characters
// except \n \r \t as \u00XX (go1.19 has no \b \f), and <, >, & for HTML safety.
const ASCII_ESCAPE: (string | undefined)[] = [];
for (let c = 0; c < 0x80; c++) {
  if (c === 0x22) ASCII_ESCAPE[c] = '\\"';
  else if (c === 0x5c) ASCII_ESCAPE[c] = '\\\\';
  else if (c === 0x0a) ASCII_ESCAPE[c] = '\\n';
  else if (c === 0x0d) ASCII_ESCAPE[c] = '\\r';
  else if (c === 0x09) ASCII_ESCAPE[c] = '\\t';
  else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26) {
    ASCII_ESCAPE[c] = '\\u00' + c.toString(16).padStart(2, '0');
  }
}

/** The JSON string literal (with quotes) Go writes for `s`; lone surrogates become `\ufffd`. */
export function goJSONString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x80) {
      esc = ASCII_ESCAPE[c];
    } else if (c === 0x2028 || c === 0x2029) {
      esc = '\\u' + c.toString(16);
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      else esc = '\\ufffd';
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      esc = '\\ufffd';
    }
    if (esc === undefined) continue;
    out += s.slice(start, i) + esc;
    start = i + 1;
  }
  return out + s.slice(start) + '"';
}

/**
 * The JSON string literal Go writes for a Go string holding raw bytes `b`: each byte that is
 * not part of valid UTF-8 becomes the six characters `\ufffd` (lossy, as restic 0.14 stores
 * non-UTF-8 symlink targets).
 */
export function goJSONBytes(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; ) {
    const { rune, width } = decodeRune(b, i);
    // A placeholder the string encoder turns into `\ufffd`: a lone surrogate.
    s += width === 1 && rune === 0xfffd ? '\ud800' : String.fromCodePoint(rune);
    i += width;
  }
  return goJSONString(s);
}

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

const UINT = /^(0|[1-9][0-9]*)$/;
/**
 * A number token (after a key's `":`, or `[` or `,`) with 16 or more digits, a fraction or an
 * exponent: the only ones a plain JSON.parse could read inexactly or that Go would refuse as a
 * uint64. Text inside strings can match too (then the exact path runs, which is merely slower);
 * times do not, as their colons follow digits.
 */
const MAYBE_INEXACT = /(?:"\s*:|[[,])\s*-?\d+(?:[.eE]|\d{15})/;
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * Parses JSON text; numbers under any key in `uint64Keys` (compared case-insensitively, as Go
 * matches field names) become exact `bigint`s. A negative, fractional or out-of-range value
 * there throws `Integrity`, as Go's decoder refuses it.
 */
export function parseJSONWithUint64(text: string, uint64Keys: ReadonlySet<string>, what: string): unknown {
  if (!MAYBE_INEXACT.test(text)) return parseSafe(text, uint64Keys, what);
  const reviver: Reviver = (key, value, context) => {
    if (typeof value !== 'number' || !uint64Keys.has(key.toLowerCase())) return value;
    const source = context?.source;
    if (source === undefined) {
      if (Number.isSafeInteger(value) && value >= 0) return BigInt(value);
      throw new SkiffError('Integrity', `${what}: cannot read ${key} value ${value} exactly`);
    }
    const n = UINT.test(source) ? BigInt(source) : -1n;
    if (n < 0n || n > UINT64_MAX) {
      throw new SkiffError('Integrity', `${what}: ${key} value ${source} is not a uint64`);
    }
    return n;
  };
  try {
    return (JSON.parse as (text: string, reviver: Reviver) => unknown)(text, reviver);
  } catch (err) {
    if (err instanceof SkiffError) throw err;
    throw new SkiffError('Integrity', `${what}: invalid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The common case of `parseJSONWithUint64`: no number in the text can be inexact, so a plain
 * JSON.parse (no reviver, much faster) reads every number exactly and the uint64 fields are then
 * converted in place.
 */
function parseSafe(text: string, uint64Keys: ReadonlySet<string>, what: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SkiffError('Integrity', `${what}: invalid JSON: ${(err as Error).message}`, { cause: err });
  }
  convertUint64(parsed, uint64Keys, what);
  return parsed;
}

function convertUint64(v: unknown, uint64Keys: ReadonlySet<string>, what: string): void {
  if (typeof v !== 'object' || v === null) return;
  if (Array.isArray(v)) {
    for (const item of v) convertUint64(item, uint64Keys, what);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const key in o) {
    const value = o[key];
    if (typeof value === 'number') {
      if (!uint64Keys.has(key) && !uint64Keys.has(key.toLowerCase())) continue;
      if (!Number.isSafeInteger(value) || value < 0 || Object.is(value, -0)) {
        throw new SkiffError('Integrity', `${what}: ${key} value ${value} is not a uint64`);
      }
      o[key] = BigInt(value);
    } else if (typeof value === 'object' && value !== null) {
      convertUint64(value, uint64Keys, what);
    }
  }
}
