import test from 'ava';
import type { NodeType } from './node.ts';
import { goModeFromPosix, nodeTypeFromPosix, posixPermFromGoMode } from './file-mode.ts';

// §11 observed values: [POSIX st_mode, restic mode, perm restored by chmod, node type]
const TABLE: [number, number, number, NodeType][] = [
  [0o100644, 420, 0o644, 'file'],
  [0o104755, 8389101, 0o4755, 'file'],
  [0o106711, 12583369, 0o6711, 'file'],
  [0o040755, 2147484141, 0o755, 'dir'],
  [0o041777, 2148532735, 0o1777, 'dir'],
  [0o042750, 2151678440, 0o2750, 'dir'],
  [0o120777, 134218239, 0o777, 'symlink'],
  [0o010644, 33554852, 0o644, 'fifo'],
  [0o060644, 67109284, 0o644, 'dev'],
  [0o020644, 69206436, 0o644, 'chardev'],
  [0o140755, 2 ** 24 + 0o755, 0o755, 'socket'],
];

test('POSIX st_mode maps to the Go FileMode values restic writes (§11)', (t) => {
  for (const [st, go, perm, type] of TABLE) {
    t.is(goModeFromPosix(st), go, st.toString(8));
    t.true(goModeFromPosix(st) >= 0);
    t.is(posixPermFromGoMode(go), perm, st.toString(8));
    t.is(nodeTypeFromPosix(st), type);
  }
});

test('Go-only bits never reach chmod, and unknown kinds have no node type', (t) => {
  t.is(posixPermFromGoMode(2 ** 31 + 2 ** 30 + 2 ** 19 + 0o644), 0o644);
  t.is(nodeTypeFromPosix(0o000644), undefined);
});
