/**
 * Go's `utf8.DecodeRune`, byte for byte: a sequence that is not a complete, shortest-form,
 * non-surrogate encoding yields `{ rune: 0xfffd, width: 1 }`. Go's quoting and JSON encoding
 * escape invalid bytes one at a time, so their output depends on exactly this rule.
 */
export interface DecodedRune {
  rune: number;
  width: number;
}

const INVALID: DecodedRune = Object.freeze({ rune: 0xfffd, width: 1 });

function cont(b: Uint8Array, i: number, lo = 0x80, hi = 0xbf): number {
  const c = b[i];
  return c !== undefined && c >= lo && c <= hi ? c & 0x3f : -1;
}

/** Decodes the rune starting at `b[i]` (which must exist). */
export function decodeRune(b: Uint8Array, i: number): DecodedRune {
  const c0 = b[i] ?? 0;
  if (c0 < 0x80) return { rune: c0, width: 1 };
  if (c0 >= 0xc2 && c0 <= 0xdf) {
    const c1 = cont(b, i + 1);
    return c1 < 0 ? INVALID : { rune: ((c0 & 0x1f) << 6) | c1, width: 2 };
  }
  if (c0 >= 0xe0 && c0 <= 0xef) {
    const lo = c0 === 0xe0 ? 0xa0 : 0x80;
    const hi = c0 === 0xed ? 0x9f : 0xbf;
    const c1 = cont(b, i + 1, lo, hi);
    const c2 = c1 < 0 ? -1 : cont(b, i + 2);
    return c2 < 0 ? INVALID : { rune: ((c0 & 0x0f) << 12) | (c1 << 6) | c2, width: 3 };
  }
  if (c0 >= 0xf0 && c0 <= 0xf4) {
    const lo = c0 === 0xf0 ? 0x90 : 0x80;
    const hi = c0 === 0xf4 ? 0x8f : 0xbf;
    const c1 = cont(b, i + 1, lo, hi);
    const c2 = c1 < 0 ? -1 : cont(b, i + 2);
    const c3 = c2 < 0 ? -1 : cont(b, i + 3);
    return c3 < 0 ? INVALID : { rune: ((c0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, width: 4 };
  }
  return INVALID;
}

/** True when every byte belongs to a valid UTF-8 sequence (Go's `utf8.Valid`). */
export function isValidUtf8(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; ) {
    const d = decodeRune(b, i);
    if (d === INVALID) return false;
    i += d.width;
  }
  return true;
}
