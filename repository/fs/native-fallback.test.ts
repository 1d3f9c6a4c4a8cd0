// Runs in its own process (ava forks per file), so switching the addon off affects nothing else.
import test from 'ava';
import { lstat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isCode } from '../errors/errors.ts';
import { applyMetadata } from './apply-metadata.ts';
import { createSpecial } from './create-special.ts';
import { nativeAvailable, useNativeForTesting } from './native.ts';
import { nodeFromPath } from './node-from-path.ts';
import { isRoot, withTmpDir } from './test-support.ts';
import { UserNames } from './user-names.ts';

test.serial('without the addon: microsecond times, one warning, no xattrs, no fifos', async (t) => {
  useNativeForTesting(false);
  t.false(nativeAvailable());
  await withTmpDir(async (dir) => {
    const f = path.join(dir, 'f');
    await writeFile(f, 'x');
    const node = {
      name: Buffer.from('f'),
      type: 'file' as const,
      mode: 0o640,
      mtime: '2024-01-02T03:04:05.123456789Z',
      atime: '2024-01-02T03:04:05.5Z',
      ctime: '2024-01-02T03:04:05Z',
      uid: 0,
      gid: 0,
      content: [],
      extendedAttributes: [{ name: 'user.x', value: Buffer.from('y') }],
    };
    const first = await applyMetadata(f, node, { isRoot });
    t.is(first.warnings.length, 1);
    t.regex(first.warnings[0] ?? '', /native fs addon not loaded/);
    t.deepEqual((await applyMetadata(f, node, { isRoot })).warnings, [], 'warned once');
    const st = await lstat(f, { bigint: true });
    const diff = st.mtimeNs - 1704164645123456789n;
    t.true(diff > -1000n && diff < 1000n, `within a microsecond, got ${st.mtimeNs}`);
    t.is(Number(st.mode) & 0o777, 0o640);
    const read = await nodeFromPath(f, Buffer.from('f'), { users: new UserNames(), offsetMinutes: () => 0 });
    t.is(read?.extendedAttributes, undefined);
    const err = await t.throwsAsync(createSpecial(path.join(dir, 'p'), { ...node, type: 'fifo', content: null }));
    t.true(isCode(err, 'Permanent'));
  });
  useNativeForTesting(true);
});
