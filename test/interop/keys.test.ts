/** Key management checked by restic: every password Skiff adds opens the repository in restic too. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FsStorage, addKey, changePassword, initRepository, listKeys, openRepository, removeKey } from '../../repository/index.ts';
import { testWithRestic } from '../support/restic.ts';

const KDF = { N: 1024, r: 8, p: 1 };

testWithRestic('key add, passwd and remove: restic 0.18 opens with exactly the passwords Skiff says', '0.18', async (t, restic) => {
  const work = await mkdtemp(path.join(os.tmpdir(), 'skiff-keys-'));
  try {
    const dir = path.join(work, 'repo');
    const storage = new FsStorage(dir);
    const repo = await initRepository(storage, 'one', { kdf: KDF });
    const opens = async (pw: string) =>
      restic.run(['-r', dir, 'cat', 'config'], { password: pw }).then(() => true, () => false);
    await addKey(repo, 'two', { kdf: KDF });
    t.true(await opens('one'));
    t.true(await opens('two'));
    t.false(await opens('three'));
    const viaTwo = await openRepository(storage, 'two');
    const newId = await changePassword(viaTwo, 'three', { kdf: KDF });
    t.false(await opens('two'));
    t.true(await opens('three'));
    t.true(await opens('one'));
    // restic adds a key; Skiff opens with it
    await writeFile(path.join(work, 'pw4'), 'four\n');
    await restic.run(['-r', dir, 'key', 'add', '--new-password-file', path.join(work, 'pw4')], { password: 'one' });
    t.is((await openRepository(storage, 'four')).config.id, repo.config.id);
    const keys = await listKeys(repo);
    t.is(keys.length, 3);
    await removeKey(repo, newId);
    t.false(await opens('three'));
    await t.throwsAsync(removeKey(repo, repo.keyId), { message: /in use/ });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
