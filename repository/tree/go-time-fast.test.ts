import test from 'ava';
import { canonicalRFC3339, formatRFC3339Nano, localOffsetMinutes, parseRFC3339Nano } from './go-time.ts';
import { cachedLocalOffset, checkTime, formatUnixTime, TIME_CANONICAL, TIME_INVALID, TIME_OTHER, timeShape } from './go-time-fast.ts';

// A small deterministic generator (xorshift) so failures reproduce.
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

test('formatUnixTime writes what formatRFC3339Nano writes, including year clamping and odd offsets', (t) => {
  const r = rng(7);
  const secs = [0, -1, 1, 86399, 86400, -62135596800, -62167219200, -62167219201, 253402300799, 253402300800, 951782400, 4102444800, 1e12, -1e12];
  for (let i = 0; i < 3000; i++) secs.push(Math.floor((r() - 0.3) * 6e10));
  const nsecs = [0, 1, 10, 100_000, 999_999_999, 500_000_000, 120];
  const offsets = [0, 60, -300, 330, 345, -570, 840, -720];
  let n = 0;
  for (const sec of secs) {
    const nsec = nsecs[n % nsecs.length]!;
    const off = offsets[n++ % offsets.length]!;
    t.is(formatUnixTime(sec, nsec, off), formatRFC3339Nano({ sec: BigInt(sec), nsec, offsetMinutes: off }), `${sec} ${nsec} ${off}`);
  }
});

test('cachedLocalOffset agrees with localOffsetMinutes across years of instants', (t) => {
  const r = rng(11);
  for (let i = 0; i < 5000; i++) {
    const sec = Math.floor((r() - 0.5) * 4e9);
    t.is(cachedLocalOffset(sec), localOffsetMinutes(sec));
  }
});

test('timeShape classifies as parseRFC3339Nano and canonicalRFC3339 do', (t) => {
  const base = [
    '2024-01-02T03:04:05Z', '2024-01-02T03:04:05.5Z', '2024-01-02T03:04:05.50Z', '2024-01-02T03:04:05,5Z',
    '2024-01-02T03:04:05.123456789+01:00', '2024-01-02T03:04:05.1234567891+01:00', '2024-01-02T03:04:05+00:00',
    '2024-01-02T03:04:05-00:00', '2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z',
    '2024-01-02T24:00:00Z', '2024-01-02T03:60:00Z', '2024-01-02T03:04:60Z', '2024-01-02 03:04:05Z', '2024-01-02T03:04:05',
    '2024-01-02T03:04:05.Z', '2024-01-02T03:04:05+24:00', '2024-01-02T03:04:05+01:60', '0001-01-01T00:00:00Z',
    '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999-12:00', '2024-01-02T03:04:05z', '2024-1-02T03:04:05Z',
    '2024-01-02T03:04:05+0100', '2024-01-02T03:04:05.000Z', '2024-04-31T00:00:00Z', '1900-02-29T00:00:00Z', '2000-02-29T00:00:00Z',
  ];
  const r = rng(3);
  const all = [...base];
  for (const s of base) {
    for (let k = 0; k < 20; k++) {
      const i = Math.floor(r() * s.length);
      const c = '0123456789TZ:+-.,x'[Math.floor(r() * 18)]!;
      all.push(s.slice(0, i) + c + s.slice(i + 1));
    }
  }
  const seen = new Set<number>();
  for (const s of all) {
    let expected: number;
    try {
      parseRFC3339Nano(s);
      expected = canonicalRFC3339(s) === s ? TIME_CANONICAL : TIME_OTHER;
    } catch {
      expected = TIME_INVALID;
    }
    seen.add(expected);
    t.is(timeShape(s) as number, expected, s);
    if (expected === TIME_INVALID) t.throws(() => checkTime(s), undefined, s);
    else t.notThrows(() => checkTime(s), s);
  }
  t.is(seen.size, 3, 'the corpus has all three kinds');
});
