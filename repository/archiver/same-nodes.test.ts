import test from 'ava';
import type { Node } from '../tree/index.ts';
import { sameNodes } from './same-nodes.ts';

const base = (): Node => ({
  name: Buffer.from('f'),
  type: 'file',
  mode: 0o644,
  mtime: '2024-01-02T03:04:05.5Z',
  atime: '2024-01-02T03:04:05.5Z',
  ctime: '2024-01-02T03:04:05.6Z',
  uid: 1,
  gid: 2,
  user: 'u',
  group: 'g',
  inode: 7n,
  deviceId: 8n,
  size: 9n,
  links: 1n,
  extendedAttributes: [{ name: 'user.a', value: Buffer.from('x') }],
  content: ['a'.repeat(64)],
});

test('equal nodes are the same; a change in any encoded field is not', (t) => {
  t.true(sameNodes([base()], [base()]));
  t.true(sameNodes([], []));
  t.false(sameNodes([base()], []));
  const changes: ((n: Node) => void)[] = [
    (n) => (n.name = Buffer.from('g')),
    (n) => (n.type = 'symlink'),
    (n) => (n.mode = 0o600),
    (n) => (n.mtime = '2024-01-02T03:04:05.51Z'),
    (n) => (n.atime = '2024-01-02T03:04:06Z'),
    (n) => (n.ctime = '2024-01-02T03:04:06Z'),
    (n) => (n.uid = 3),
    (n) => (n.gid = 3),
    (n) => delete n.user,
    (n) => (n.group = 'h'),
    (n) => (n.inode = 70n),
    (n) => delete n.deviceId,
    (n) => (n.size = 10n),
    (n) => (n.links = 2n),
    (n) => (n.extendedAttributes = [{ name: 'user.a', value: Buffer.from('y') }]),
    (n) => delete n.extendedAttributes,
    (n) => (n.content = ['b'.repeat(64)]),
    (n) => (n.content = null),
    (n) => (n.subtree = 'c'.repeat(64)),
    (n) => (n.linktarget = Buffer.from('t')),
    (n) => (n.device = 5n),
    (n) => (n.error = 'e'),
  ];
  for (const [i, change] of changes.entries()) {
    const n = base();
    change(n);
    t.false(sameNodes([base()], [n]), `change ${i}`);
    t.false(sameNodes([n], [base()]), `change ${i} (other side)`);
  }
  // absent and zero/empty are the same to the encoder
  const a = base();
  const b = base();
  b.linktarget = Buffer.alloc(0);
  b.extendedAttributes = [];
  delete a.extendedAttributes;
  t.true(sameNodes([a], [b]));
});
