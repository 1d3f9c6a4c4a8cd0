import test from 'ava';
import { chmod, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { listDir } from './dir-listing.ts';
import { makeFifo, nativeAvailable, setXattr, useNativeForTesting } from './native.ts';
import { isRoot, nativeOrSkip, userXattrsSupported, withTmpDir } from './test-support.ts';
import { UserNames } from './user-names.ts';
import { nodeFromPath } from './node-from-path.ts';

const run = nativeOrSkip() ? test.serial : test.skip;

async function nodesOf(dir: string): Promise<{ names: string[]; nodes: unknown[] }> {
  const listing = await listDir(Buffer.from(dir), { users: new UserNames() });
  const nodes = [];
  for (let i = 0; i < listing.names.length; i++) {
    nodes.push(await listing.node(i, Buffer.concat([Buffer.from(dir + '/'), listing.names[i]!])));
  }
  return { names: listing.names.map((n) => n.toString('latin1')), nodes };
}

run('the native listing gives the same names, nodes and xattrs as readdir + lstat', async (t) => {
  await withTmpDir(async (dir) => {
    await writeFile(path.join(dir, 'b-file'), 'hello');
    await writeFile(path.join(dir, 'empty'), '');
    await mkdir(path.join(dir, 'a-dir'));
    await symlink('b-file', path.join(dir, 'link'));
    await makeFifo(path.join(dir, 'fifo'), 0o640);
    await writeFile(path.join(dir, Buffer.from('caf\xe9', 'latin1').toString('latin1')), 'x');
    await writeFile(Buffer.concat([Buffer.from(dir + '/'), Buffer.from([0x6e, 0xff])]), 'raw name');
    const withXattr = path.join(dir, 'xattr');
    await writeFile(withXattr, 'x');
    const xattrs = await userXattrsSupported(withXattr);
    if (xattrs) await setXattr(withXattr, 'user.k', Buffer.from('v'));
    else t.log('user xattrs unsupported here: the xattr case is not covered');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(dir, 'sock'), resolve));
    try {
      const native = await nodesOf(dir);
      // what readdir + lstat per entry read (xattrs still through the addon)
      const names = (await readdir(dir, { encoding: 'buffer' })).sort(Buffer.compare);
      const users = new UserNames();
      const perEntry = await Promise.all(names.map((n) => nodeFromPath(Buffer.concat([Buffer.from(dir + '/'), n]), n, { users })));
      t.true(nativeAvailable());
      t.deepEqual(native, { names: names.map((n) => n.toString('latin1')), nodes: perEntry });
      if (xattrs) t.deepEqual((native.nodes[native.names.indexOf('xattr')] as { extendedAttributes?: unknown }).extendedAttributes, [{ name: 'user.skiff-probe', value: Buffer.from('1') }, { name: 'user.k', value: Buffer.from('v') }]);
      // without the addon: the same, minus xattrs
      useNativeForTesting(false);
      const portable = await nodesOf(dir).finally(() => useNativeForTesting(true));
      for (const n of native.nodes) delete (n as { extendedAttributes?: unknown } | null)?.extendedAttributes;
      t.deepEqual(portable, native);
      t.deepEqual(native.names, [...native.names].sort((a, b) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'))));
      const byName = new Map(native.names.map((n, i) => [n, native.nodes[i] as { type: string; extendedAttributes?: unknown; linktarget?: Buffer } | null]));
      t.is(byName.get('sock'), null, 'sockets are skipped');
      t.is(byName.get('a-dir')?.type, 'dir');
      t.is(byName.get('fifo')?.type, 'fifo');
      t.deepEqual(byName.get('link')?.linktarget, Buffer.from('b-file'));
      t.is(native.names.length, 9);
    } finally {
      server.close();
    }
  });
});

run('a directory that cannot be read rejects with its errno, with and without the addon', async (t) => {
  await withTmpDir(async (dir) => {
    const missing = Buffer.from(path.join(dir, 'missing'));
    const err = await t.throwsAsync(listDir(missing, { users: new UserNames() }));
    t.is((err as { code?: string }).code, 'ENOENT');
    useNativeForTesting(false);
    const err2 = await t.throwsAsync(listDir(missing, { users: new UserNames() })).finally(() => useNativeForTesting(true));
    t.is((err2 as { code?: string }).code, 'ENOENT');
    if (isRoot) return; // root reads any directory
    const locked = path.join(dir, 'locked');
    await mkdir(locked);
    await chmod(locked, 0);
    const err3 = await t.throwsAsync(listDir(Buffer.from(locked), { users: new UserNames() }));
    t.is((err3 as { code?: string }).code, 'EACCES');
  });
});
