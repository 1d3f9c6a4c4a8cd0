import test from 'ava';
import { parseRFC3339Nano } from '../tree/index.ts';
import { parseTime } from './time-cache.ts';

test('agrees with parseRFC3339Nano, cached or not, and fails the same way', (t) => {
  const samples = [
    '2024-01-02T03:04:05.123456789Z',
    '2024-01-02T03:04:05.123456789+02:00',
    '2024-01-02T03:04:05.5-07:30',
    '2024-01-02T03:04:05Z',
    '2024-01-02T03:04:05,25Z',
    '1969-12-31T23:59:59.999999999Z',
    '2000-02-29T12:00:00.000000001+14:00',
    '2024-01-02T03:04:05.1234567891Z', // more than 9 digits: through the exact parser
    '0001-01-01T00:00:00Z',
  ];
  for (const s of [...samples, ...samples]) {
    const want = parseRFC3339Nano(s);
    t.deepEqual(parseTime(s), { sec: Number(want.sec), nsec: want.nsec }, s);
  }
  for (const bad of ['2024-02-30T00:00:00Z', '2024-02-30T00:00:00.5Z', '2024-01-02T24:00:00Z', '2024-01-02 03:04:05Z', '2024-01-02T03:04:05+24:00', '']) {
    const want = t.throws(() => parseRFC3339Nano(bad));
    const got = t.throws(() => parseTime(bad));
    t.is(got?.message, want?.message, bad);
  }
});
