import test, { type ExecutionContext } from 'ava';
import { closeSync, openSync } from 'node:fs';
import { lstat, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isCode } from '../errors/errors.ts';
import type { Node } from '../tree/index.ts';
import { applyFileMetadataSync, applyMetadata } from './apply-metadata.ts';
import { createSpecial } from './create-special.ts';
import { getXattr } from './native.ts';
import { nodeFromPath } from './node-from-path.ts';
import { isRoot, nativeOrSkip, userXattrsSupported, withTmpDir } from './test-support.ts';
import { UserNames } from './user-names.ts';

const run = nativeOrSkip() ? test : test.skip;
const T = '2024-01-02T03:04:05.123456789Z';

function fileNode(extra: Partial<Node> = {}): Node {
  return Object.assign<Node, Partial<Node>>(
    { name: Buffer.from('f'), type: 'file', mode: 8389101, mtime: T, atime: '2023-05-06T07:08:09.987654321+02:00', ctime: T, uid: 1234, gid: 5678, content: [] },
    extra,
  );
}

/** What both tests apply: nanosecond times, setuid mode, the owner (as root) and one xattr (where supported). */
async function assertApplied(t: ExecutionContext, f: string, xattrs: boolean): Promise<void> {
  const st = await lstat(f, { bigint: true });
  t.is(st.mtimeNs, 1704164645123456789n);
  t.is(st.atimeNs, 1683349689987654321n);
  t.is(Number(st.mode) & 0o7777, 0o4755);
  if (isRoot) t.deepEqual([st.uid, st.gid], [1234n, 5678n]);
  if (xattrs) t.deepEqual(await getXattr(f, 'user.note'), Buffer.from([1, 2, 3]));
}

run('restores mode with setuid, nanosecond times, owner and xattrs', async (t) => {
  await withTmpDir(async (dir) => {
    const f = path.join(dir, 'f');
    await writeFile(f, 'data');
    const xattrs = await userXattrsSupported(f);
    if (!xattrs) t.log('SKIPPED xattr part: user xattrs unsupported');
    const node = fileNode(xattrs ? { extendedAttributes: [{ name: 'user.note', value: Buffer.from([1, 2, 3]) }] } : {});
    const result = await applyMetadata(f, node, { isRoot });
    t.deepEqual(result.warnings, []);
    await assertApplied(t, f, xattrs);
    // What nodeFromPath reads back is what was applied.
    const back = await nodeFromPath(f, Buffer.from('f'), { users: new UserNames(), offsetMinutes: () => 0 });
    t.is(back?.mtime, T);
    t.is(back?.mode, 8389101);
  });
});

run('a symlink gets its own times and owner, never a chmod', async (t) => {
  await withTmpDir(async (dir) => {
    const target = path.join(dir, 'target');
    await writeFile(target, '');
    const before = await lstat(target, { bigint: true });
    const l = path.join(dir, 'l');
    await symlink('target', l);
    await applyMetadata(l, fileNode({ type: 'symlink', mode: 134218239, content: null }), { isRoot });
    t.is((await lstat(l, { bigint: true })).mtimeNs, 1704164645123456789n);
    const after = await lstat(target, { bigint: true });
    t.is(after.mtimeNs, before.mtimeNs);
    t.is(Number(after.mode) & 0o7777, Number(before.mode) & 0o7777);
    t.is(await readlink(l), 'target');
  });
});

test('every failing step is reported in one error', async (t) => {
  const err = await t.throwsAsync(applyMetadata('/nonexistent/skiff/x', fileNode(), { isRoot: true }));
  t.true(isCode(err, 'NotFound'));
  t.regex(err?.message ?? '', /lchown .*ENOENT; chmod .*ENOENT; utimensat .*ENOENT/);
});

run('applyFileMetadataSync: the same result from a FileMetadata, through a descriptor or the path, and the same errors', async (t) => {
  await withTmpDir(async (dir) => {
    const f = path.join(dir, 'f');
    await writeFile(f, 'data');
    const xattrs = await userXattrsSupported(f);
    const meta = {
      uid: 1234,
      gid: 5678,
      perm: 0o4755,
      atime: { sec: 1683349689n, nsec: 987654321 },
      mtime: { sec: 1704164645n, nsec: 123456789 },
      ...(xattrs ? { xattrs: [{ name: 'user.note', value: new Uint8Array([1, 2, 3]) }] } : {}),
    };
    const fd = openSync(f, 'r+');
    try {
      t.deepEqual(applyFileMetadataSync(Buffer.from(f), fd, meta, { isRoot }).warnings, []);
    } finally {
      closeSync(fd);
    }
    await assertApplied(t, f, xattrs);
    applyFileMetadataSync(Buffer.from(f), undefined, { ...meta, perm: 0o640 }, { isRoot });
    t.is((await lstat(f)).mode & 0o7777, 0o640);
  });
  const missing = Buffer.from('/nonexistent/skiff/x');
  const meta = { uid: 0, gid: 0, perm: 0o644, atime: { sec: 0n, nsec: 0 }, mtime: { sec: 0n, nsec: 0 } };
  const err = t.throws(() => applyFileMetadataSync(missing, undefined, meta, { isRoot: true }));
  const old = await t.throwsAsync(applyMetadata(missing, fileNode(), { isRoot: true }));
  t.is(err?.message, old?.message);
  const bad = t.throws(() => applyFileMetadataSync(missing, undefined, { ...meta, timeError: 'invalid RFC 3339 time "x"' }, { isRoot: true }));
  t.regex(bad?.message ?? '', /chmod .*ENOENT; invalid RFC 3339 time "x"$/);
});

run('createSpecial makes fifos and, as root, devices; refuses what it cannot do', async (t) => {
  await withTmpDir(async (dir) => {
    const fifo = path.join(dir, 'p');
    await createSpecial(fifo, fileNode({ type: 'fifo', mode: 33554852, content: null }));
    await applyMetadata(fifo, fileNode({ type: 'fifo', mode: 33554852, content: null }), { isRoot });
    const st = await lstat(fifo);
    t.true(st.isFIFO());
    t.is(st.mode & 0o7777, 0o644);
    const blk = fileNode({ type: 'dev', mode: 67109284, content: null, device: 1792n });
    const notRoot = await t.throwsAsync(createSpecial(path.join(dir, 'b1'), blk, { isRoot: false }));
    t.true(isCode(notRoot, 'Permanent'));
    if (isRoot) {
      await createSpecial(path.join(dir, 'loop0'), blk);
      const b = await lstat(path.join(dir, 'loop0'), { bigint: true });
      t.true(b.isBlockDevice());
      t.is(b.rdev, 1792n);
    } else {
      t.log('SKIPPED device creation: not root');
    }
    const exists = await t.throwsAsync(createSpecial(fifo, fileNode({ type: 'fifo', content: null })));
    t.true(isCode(exists, 'Conflict'));
    const wrongType = await t.throwsAsync(createSpecial(path.join(dir, 'x'), fileNode()));
    t.true(isCode(wrongType, 'Permanent'));
  });
});
