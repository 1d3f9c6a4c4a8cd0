import test from 'ava';
import { createServer } from 'node:net';
import { chmod, link, lstat, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isCode } from '../errors/errors.ts';
import { decodeTree, encodeTree, MODE_DIR } from '../tree/index.ts';
import { makeDevice, makeFifo, setTimes, setXattr } from './native.ts';
import { nodeFromPath } from './node-from-path.ts';
import { isRoot, nativeOrSkip, userXattrsSupported, withTmpDir } from './test-support.ts';
import { UserNames } from './user-names.ts';

const native = nativeOrSkip();
const run = native ? test : test.skip;
const opts = { users: new UserNames(), offsetMinutes: () => 0 };

test('a regular file: mode, size, links, ids, nanosecond times in the given offset', async (t) => {
  await withTmpDir(async (dir) => {
    const f = path.join(dir, 'hello.txt');
    await writeFile(f, 'hello, restic\n');
    await chmod(f, 0o4755);
    await link(f, path.join(dir, 'hard'));
    const st = await lstat(f, { bigint: true });
    const node = await nodeFromPath(f, Buffer.from('hello.txt'), { users: new UserNames(), offsetMinutes: () => 90 });
    t.truthy(node);
    t.is(node?.type, 'file');
    t.is(node?.mode, 8389101);
    t.is(node?.size, 14n);
    t.is(node?.links, 2n);
    t.is(node?.inode, st.ino);
    t.is(node?.deviceId, st.dev);
    t.is(node?.uid, Number(st.uid));
    t.deepEqual(node?.content, []);
    t.regex(node?.mtime ?? '', /\+01:30$/);
    t.is(node?.device, undefined);
    if (isRoot) t.is(node?.user, 'root');
  });
});

run('exact nanoseconds and xattrs are captured', async (t) => {
  await withTmpDir(async (dir) => {
    const f = path.join(dir, 'f');
    await writeFile(f, '');
    await setTimes(f, { sec: 1704164645n, nsec: 5, offsetMinutes: 0 }, { sec: 1704164645n, nsec: 123456789, offsetMinutes: 0 }, false);
    const xattrs = await userXattrsSupported(f);
    if (xattrs) await setXattr(f, 'user.note', Buffer.from('abc'));
    else t.log('SKIPPED xattr part: user xattrs unsupported');
    const node = await nodeFromPath(f, Buffer.from('f'), opts);
    t.is(node?.mtime, '2024-01-02T03:04:05.123456789Z');
    t.is(node?.atime, node?.mtime, 'restic stores mtime as atime by default');
    const withAtime = await nodeFromPath(f, Buffer.from('f'), { ...opts, withAtime: true });
    t.is(withAtime?.atime, '2024-01-02T03:04:05.000000005Z');
    t.is(node?.size, undefined, 'empty file has no size');
    if (xattrs) t.deepEqual(node?.extendedAttributes?.find((a) => a.name === 'user.note')?.value, Buffer.from('abc'));
  });
});

test('a directory and a symlink with a non-UTF-8 target and name', async (t) => {
  await withTmpDir(async (dir) => {
    await mkdir(path.join(dir, 'd'), { mode: 0o755 });
    await chmod(path.join(dir, 'd'), 0o1777);
    const d = await nodeFromPath(path.join(dir, 'd'), Buffer.from('d'), opts);
    t.is(d?.type, 'dir');
    t.is(d?.mode, 2148532735);
    t.true((d?.mode ?? 0) >= MODE_DIR);
    t.is(d?.links, undefined);
    t.is(d?.size, undefined);
    t.is(d?.content, null);
    const name = Buffer.from('bad\xfflink', 'latin1');
    const target = Buffer.from('target\xfe', 'latin1');
    const p = Buffer.concat([Buffer.from(dir + '/'), name]);
    await symlink(target, p);
    const l = await nodeFromPath(p, name, opts);
    t.is(l?.type, 'symlink');
    t.is(l?.mode, 134218239);
    t.is(l?.links, 1n);
    t.deepEqual(l?.linktarget, target);
    t.is(l?.extendedAttributes, undefined);
    t.is(l?.content, null);
    // The nodes form a valid tree once the dir has its subtree.
    const tree = decodeTree(encodeTree([{ ...d!, subtree: 'ac08ce34ba4f8123618661bef2425f7028ffb9ac740578a3ee88684d2523fee8' }, l!]));
    t.deepEqual(tree[0]?.name, name);
    t.deepEqual(tree[0]?.linktarget, target);
  });
});

run('a fifo has no links; a socket is skipped', async (t) => {
  await withTmpDir(async (dir) => {
    const fifo = path.join(dir, 'fifo');
    await makeFifo(fifo, 0o600);
    await chmod(fifo, 0o644);
    const n = await nodeFromPath(fifo, Buffer.from('fifo'), opts);
    t.is(n?.type, 'fifo');
    t.is(n?.mode, 33554852);
    t.is(n?.links, undefined);
    const sock = path.join(dir, 's.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      t.is(await nodeFromPath(sock, Buffer.from('s.sock'), opts), null);
    } finally {
      server.close();
    }
  });
});

(native && isRoot ? test : test.skip)('a character device records rdev and links (root only)', async (t) => {
  await withTmpDir(async (dir) => {
    const dev = path.join(dir, 'null');
    await makeDevice(dev, 0o020000 | 0o600, 259n);
    await chmod(dev, 0o644);
    const n = await nodeFromPath(dev, Buffer.from('null'), opts);
    t.is(n?.type, 'chardev');
    t.is(n?.mode, 69206436);
    t.is(n?.device, 259n);
    t.is(n?.links, 1n);
  });
});

test('a vanished path is NotFound', async (t) => {
  const err = await t.throwsAsync(nodeFromPath('/nonexistent/skiff/x', Buffer.from('x'), opts));
  t.true(isCode(err, 'NotFound'));
});
