import test from 'ava';
import { createHash } from 'node:crypto';
import { MasterIndex } from './master-index.ts';

const id = (i: number) => createHash('sha256').update(String(i)).digest();

test('adds, finds and keeps the first location of 100k blobs', (t) => {
  const idx = new MasterIndex();
  for (let i = 0; i < 100_000; i++) {
    const added = idx.add(id(i), {
      packId: `pack${i % 50}`,
      type: i % 3 === 0 ? 'tree' : 'data',
      offset: i,
      length: 100 + i,
      uncompressedLength: i % 2 ? 0 : 90,
    });
    t.true(added || i === -1);
  }
  t.is(idx.size, 100_000);
  t.is(idx.packCount, 50);
  t.false(idx.add(id(7), { packId: 'other', type: 'data', offset: 0, length: 40, uncompressedLength: 0 }));
  const loc = idx.get(id(7));
  t.deepEqual(loc, { packId: 'pack7', type: 'data', offset: 7, length: 107, uncompressedLength: 0 });
  t.is(idx.plainSize(id(7)), 107 - 32);
  t.is(idx.plainSize(id(8)), 90);
  t.is(idx.get(id(3))?.type, 'tree');
  t.false(idx.has(id(100_001)));
  t.is(idx.get(id(100_001)), undefined);
  t.true(idx.memoryBytes / idx.size < 120, `memory per blob ${idx.memoryBytes / idx.size}`);
  t.is([...idx.entries()].length, 100_000);
});
