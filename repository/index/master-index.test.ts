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
  t.true(idx.memoryBytes / idx.size <= 64, `memory per blob ${idx.memoryBytes / idx.size}`);
  t.is([...idx.entries()].length, 100_000);
});

test('memory per blob stays within 64 bytes at every size from 20k to 300k blobs', (t) => {
  const idx = new MasterIndex();
  let worst = 0;
  for (let i = 0; i < 300_000; i++) {
    idx.add(id(i), { packId: `p${i >> 10}`, type: 'data', offset: i, length: 100, uncompressedLength: 0 });
    if (i >= 20_000 && i % 997 === 0) worst = Math.max(worst, idx.memoryBytes / idx.size);
  }
  t.true(worst <= 64, `worst ${worst.toFixed(1)} B/blob`);
  t.true(idx.has(id(299_999)) && idx.has(id(0)) && !idx.has(id(300_000)));
});

test('the blob type survives high pack numbers', (t) => {
  const idx = new MasterIndex();
  for (let i = 0; i < 5000; i++) idx.add(id(i), { packId: `p${i}`, type: i % 2 ? 'tree' : 'data', offset: 1, length: 2, uncompressedLength: 3 });
  t.deepEqual(idx.get(id(4999)), { packId: 'p4999', type: 'tree', offset: 1, length: 2, uncompressedLength: 3 });
  t.deepEqual(idx.get(id(4998)), { packId: 'p4998', type: 'data', offset: 1, length: 2, uncompressedLength: 3 });
});
