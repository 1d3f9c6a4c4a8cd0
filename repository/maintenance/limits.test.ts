import test from 'ava';
import { SkiffError } from '../errors/errors.ts';
import { maxUnusedBytes, parseMaxUnused, parseSize } from './limits.ts';

test('sizes and --max-unused parse as restic spells them', (t) => {
  t.is(parseSize('123'), 123);
  t.is(parseSize('10k'), 10 * 1024);
  t.is(parseSize('200M'), 200 * 1024 ** 2);
  t.is(parseSize('2g'), 2 * 1024 ** 3);
  t.deepEqual(parseMaxUnused('5%'), { kind: 'percent', value: 5 });
  t.deepEqual(parseMaxUnused('0.5%'), { kind: 'percent', value: 0.5 });
  t.deepEqual(parseMaxUnused('unlimited'), { kind: 'unlimited' });
  t.deepEqual(parseMaxUnused('1G'), { kind: 'bytes', value: 1024 ** 3 });
  for (const bad of ['100%', '-1%', '%', 'x', '1.5M', '']) t.is(t.throws(() => parseMaxUnused(bad), { instanceOf: SkiffError })?.code, 'Config', bad);
});

test('a percentage is of the repository after prune: p / (100 - p) of the used bytes', (t) => {
  t.is(maxUnusedBytes({ kind: 'percent', value: 5 }, 95_000), 5_000);
  t.is(maxUnusedBytes({ kind: 'percent', value: 50 }, 1000), 1000);
  t.is(maxUnusedBytes({ kind: 'percent', value: 0 }, 1000), 0);
  t.is(maxUnusedBytes({ kind: 'bytes', value: 77 }, 1000), 77);
  t.is(maxUnusedBytes({ kind: 'unlimited' }, 1000), Number.POSITIVE_INFINITY);
});
