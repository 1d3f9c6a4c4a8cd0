import { createHash } from 'node:crypto';
import test from 'ava';
import { BlobSet } from './blob-set.ts';

const id = (n: number) => createHash('sha256').update(String(n)).digest();

test('BlobSet adds, finds, sets values and grows past its first table', (t) => {
  const s = new BlobSet();
  for (let i = 0; i < 5000; i++) t.true(s.add(id(i)));
  t.false(s.add(id(7)));
  t.is(s.size, 5000);
  for (let i = 0; i < 5000; i++) t.true(s.has(id(i)));
  t.false(s.has(id(5000)));
  t.is(s.get(id(5000)), undefined);
  s.set(id(3), 300);
  t.is(s.get(id(3)), 255);
  s.set(id(6000), 2);
  t.is(s.get(id(6000)), 2);
  t.is(s.size, 5001);
  const seen = [...s.entries()];
  t.is(seen.length, 5001);
  t.is(seen.filter((e) => e.value !== 0).length, 2);
  t.true(seen[0]!.id.equals(id(0)));
});
