import test from 'ava';
import { MemStorage } from './mem-storage.ts';
import { runStorageContract } from './storage.contract.ts';

runStorageContract('mem', async () => {
  const storage = new MemStorage();
  return { storage, putRaw: async (rel, data) => void storage.objects.set(rel, Buffer.from(data)) };
});

test('mem: objects are keyed by layout path and can be tampered with', async (t) => {
  const m = new MemStorage();
  const name = 'cd'.repeat(32);
  await m.save({ type: 'data', name }, Buffer.from('abc'));
  t.deepEqual([...m.objects.keys()], [`data/cd/${name}`]);
  m.objects.set(`data/cd/${name}`, Buffer.from('xyz'));
  t.is((await m.load({ type: 'data', name })).toString(), 'xyz');
});
