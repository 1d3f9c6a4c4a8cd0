import test from 'ava';
import { lstat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { getXattr, listXattrs, nativeAvailable, nativeLoadError, setTimes, setXattr } from './native.ts';
import { nativeOrSkip, userXattrsSupported, withTmpDir } from './test-support.ts';

const run = nativeOrSkip() ? test : test.skip;

test('the native addon is loaded in CI', (t) => {
  if (process.env['CI'] === 'true') t.true(nativeAvailable(), `native fs addon failed to load: ${nativeLoadError()}`);
  else t.is(nativeLoadError() === undefined, nativeAvailable());
});

run('setTimes keeps nanoseconds, also before 1970 and on a symlink itself', async (t) => {
  await withTmpDir(async (dir) => {
    const f = path.join(dir, 'f');
    await writeFile(f, 'x');
    t.is(await setTimes(f, { sec: -5n, nsec: 1, offsetMinutes: 0 }, { sec: 1704164645n, nsec: 123456789, offsetMinutes: 60 }, false), 'ns');
    let st = await lstat(f, { bigint: true });
    t.is(st.mtimeNs, 1704164645123456789n);
    t.is(st.atimeNs, -4999999999n);
    const l = path.join(dir, 'l');
    await symlink('f', l);
    await setTimes(l, { sec: 7n, nsec: 8, offsetMinutes: 0 }, { sec: 9n, nsec: 10, offsetMinutes: 0 }, true);
    t.is((await lstat(l, { bigint: true })).mtimeNs, 9000000010n);
    st = await lstat(f, { bigint: true });
    t.is(st.mtimeNs, 1704164645123456789n, 'target untouched');
  });
});

run('xattrs: set, list and get raw values; errors carry errno names', async (t) => {
  await withTmpDir(async (dir) => {
    const f = path.join(dir, 'f');
    await writeFile(f, 'x');
    if (!(await userXattrsSupported(f))) {
      if (process.env['CI'] === 'true') t.fail(`user xattrs unsupported on ${dir}`);
      else t.log(`SKIPPED: user xattrs unsupported on ${dir}`);
      t.pass();
      return;
    }
    const value = Buffer.from([0, 1, 2, 255]);
    await setXattr(f, 'user.bin', value);
    await setXattr(Buffer.from(f), Buffer.from('user.empty'), Buffer.alloc(0));
    const names = (await listXattrs(f)).map((n) => n.toString());
    t.true(names.includes('user.bin') && names.includes('user.empty'));
    t.deepEqual(await getXattr(f, 'user.bin'), value);
    t.deepEqual(await getXattr(f, 'user.empty'), Buffer.alloc(0));
    const big = Buffer.alloc(3000, 7);
    await setXattr(f, 'user.big', big);
    t.deepEqual(await getXattr(f, 'user.big'), big);
    const missing = await t.throwsAsync(getXattr(f, 'user.nope'));
    t.is((missing as NodeJS.ErrnoException).code, 'ENODATA');
    const gone = await t.throwsAsync(listXattrs(path.join(dir, 'nope')));
    t.is((gone as NodeJS.ErrnoException).code, 'ENOENT');
    t.is((gone as NodeJS.ErrnoException).syscall, 'llistxattr');
  });
});
