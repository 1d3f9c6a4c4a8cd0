import test from 'ava';
import type { Node } from '../tree/index.ts';
import { DirEntries } from './dir-entries.ts';

const node = (name: string) => ({ name: Buffer.from(name) }) as Node;
const names = (nodes: Node[]) => nodes.map((n) => n.name.toString());

test('done resolves after close and every held entry, in entry order, without the empty slots', async (t) => {
  const e = new DirEntries(5);
  let settled = false;
  void e.done.then(() => (settled = true));
  e.set(0, node('a'));
  e.hold();
  e.set(2, undefined); // excluded
  let finish!: (n: Node) => void;
  e.track(3, new Promise<Node>((resolve) => (finish = resolve)));
  e.set(4, node('e'));
  e.close();
  await Promise.resolve();
  t.false(settled, 'entries 1 and 3 are still out');
  e.fill(1, node('b'));
  await Promise.resolve();
  t.false(settled);
  finish(node('d'));
  t.deepEqual(names(await e.done), ['a', 'b', 'd', 'e']);
});

test('not done before close, even when nothing is held', async (t) => {
  const e = new DirEntries(1);
  let settled = false;
  void e.done.then(() => (settled = true));
  e.set(0, node('a'));
  await new Promise((r) => setImmediate(r));
  t.false(settled);
  e.close();
  t.deepEqual(names(await e.done), ['a']);
});

test('the first failure rejects done; later fills and failures change nothing', async (t) => {
  const e = new DirEntries(3);
  e.hold();
  e.track(1, Promise.reject(new Error('first')));
  e.close();
  await t.throwsAsync(e.done, { message: 'first' });
  e.fail(new Error('second'));
  e.fill(0, node('a'));
  await t.throwsAsync(e.done, { message: 'first' });
});
