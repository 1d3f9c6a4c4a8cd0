import test from 'ava';
import { ByteArena, Column, KeptBytes } from './column.ts';

test('a column keeps every row across the growing first segment and the fixed ones', (t) => {
  const c = new Column((n) => new Float64Array(n), 4, 16);
  const n = 16 * 5 + 3;
  for (let i = 0; i < n; i++) t.is(c.push(i * 1.5), i);
  t.is(c.length, n);
  const bad: number[] = [];
  for (let i = 0; i < n; i++) if (c.get(i) !== i * 1.5) bad.push(i);
  t.deepEqual(bad, []);
});

test('an arena returns each string as pushed, long ones and chunk ends included', (t) => {
  const a = new ByteArena(8, 32);
  const strings = ['abc', 'x'.repeat(20), 'yy', 'z'.repeat(70), '', 'q'.repeat(32), 'tail', 'w'.repeat(31)].map((s) => Buffer.from(s));
  const at = strings.map((s) => a.push(s));
  strings.forEach((s, i) => t.is(a.view(at[i]!, s.length).toString(), s.toString(), `string ${i}`));
});

test('32-byte IDs sit at 32 t, so row t is found without an offset column', (t) => {
  const a = new ByteArena(64, 256);
  for (let i = 0; i < 40; i++) t.is(a.push(Buffer.alloc(32, i)), 32 * i);
  t.true(a.view(32 * 39, 32).equals(Buffer.alloc(32, 39)));
});

test('kept bytes are copies that own no slab of the allocation pool', (t) => {
  const k = new KeptBytes();
  const pooled = Buffer.from('a name from a tree');
  const kept = k.keep(pooled);
  pooled.fill(0);
  t.is(kept.toString(), 'a name from a tree');
  t.not(kept.buffer, pooled.buffer);
  const big = k.keep(Buffer.alloc(20_000, 1));
  t.is(big.buffer.byteLength, 20_000, 'a long string gets memory of its own');
});
