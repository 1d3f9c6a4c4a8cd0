import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { MemStorage } from '../storage/mem-storage.ts';
import type { Handle, SaveOptions } from '../storage/storage.ts';
import { SkiffError } from '../errors/errors.ts';
import { initRepository, openRepository } from './open.ts';
import { addKey, changePassword, listKeys, removeKey } from './keys.ts';

const KDF = { N: 1024, r: 8, p: 1 };

test('blobs round trip through packs and the index; duplicates are stored once', async (t) => {
  const storage = new MemStorage();
  const repo = await initRepository(storage, 'pw', { kdf: KDF, packSize: 4 * 1024 * 1024 });
  const blobs = Array.from({ length: 12 }, () => randomBytes(1024 * 1024));
  for (const b of blobs) t.true((await repo.saveBlob('data', b)).added);
  t.false((await repo.saveBlob('data', blobs[3]!)).added);
  const tree = Buffer.from('{"nodes":[]}\n');
  await repo.saveBlob('tree', tree);
  await repo.flush();
  const packs = await repo.listIds('data');
  t.true(packs.length >= 4, `packs: ${packs.length}`);
  const reopened = await openRepository(storage, 'pw');
  await reopened.loadIndex();
  t.is(reopened.index.size, 13);
  for (const b of blobs) t.deepEqual(await reopened.loadBlob('data', createHash('sha256').update(b).digest()), b);
  t.deepEqual(await reopened.loadBlob('tree', createHash('sha256').update(tree).digest()), tree);
  // data and tree blobs never share a pack
  const treeLoc = reopened.index.get(createHash('sha256').update(tree).digest())!;
  for (const e of reopened.index.entries()) if (e.loc.type === 'data') t.not(e.loc.packId, treeLoc.packId);
});

/** A storage that sends Content-MD5, as S3 does, and records the MD5 each save was given. */
class Md5Storage extends MemStorage {
  readonly contentMd5 = true;
  readonly given = new Map<string, string | undefined>();
  override async save(h: Handle, data: Uint8Array, opts?: SaveOptions): Promise<void> {
    if (h.type === 'data') this.given.set(h.name, opts?.md5);
    return super.save(h, data, opts);
  }
}

test('with worker threads, packs go to a storage that sends Content-MD5 with their MD5 computed on a worker', async (t) => {
  for (const workers of [0, 1]) {
    const storage = new Md5Storage();
    const repo = await initRepository(storage, 'pw', { kdf: KDF, packSize: 1024 * 1024, workers });
    for (let i = 0; i < 3; i++) await repo.saveBlob('data', randomBytes(700 * 1024));
    await repo.flush();
    t.is(storage.given.size, 2, `workers: ${workers}`);
    for (const [name, md5] of storage.given) {
      const bytes = await storage.load({ type: 'data', name });
      t.is(md5, workers === 0 ? undefined : createHash('md5').update(bytes).digest('base64'), `workers: ${workers}`);
    }
  }
});

test('compressible data is stored compressed, random data raw; compression off stores raw', async (t) => {
  const text = Buffer.from('all work and no play '.repeat(50_000));
  const repo = await initRepository(new MemStorage(), 'pw', { kdf: KDF });
  await repo.saveBlob('data', text);
  await repo.saveBlob('data', randomBytes(100_000));
  await repo.flush();
  const locs = [...repo.index.entries()].map((e) => e.loc);
  t.true(locs.some((l) => l.uncompressedLength === text.length && l.length < text.length / 10));
  t.true(locs.some((l) => l.uncompressedLength === 0));
  const off = await initRepository(new MemStorage(), 'pw', { kdf: KDF, compression: 'off' });
  await off.saveBlob('data', text);
  await off.flush();
  t.is([...off.index.entries()][0]!.loc.uncompressedLength, 0);
});

test('keys: several passwords open the repository; the last key and the key in use are kept', async (t) => {
  const storage = new MemStorage();
  const repo = await initRepository(storage, 'first', { kdf: KDF });
  const second = await addKey(repo, 'second', { kdf: KDF });
  t.is((await listKeys(repo)).length, 2);
  const viaSecond = await openRepository(storage, 'second');
  t.is(viaSecond.keyId, second);
  t.deepEqual(viaSecond.key.encrypt, repo.key.encrypt);
  const inUse = await t.throwsAsync(removeKey(repo, repo.keyId), { instanceOf: SkiffError });
  t.regex(inUse!.message, /in use/);
  await removeKey(viaSecond, repo.keyId);
  await t.throwsAsync(openRepository(storage, 'first'), { message: /wrong password/ });
  const last = await t.throwsAsync(removeKey(viaSecond, second.slice(0, 8)));
  t.regex(last!.message, /in use|last key/);
  const third = await changePassword(viaSecond, 'third', { kdf: KDF });
  const viaThird = await openRepository(storage, 'third');
  t.is(viaThird.keyId, third);
  await t.throwsAsync(openRepository(storage, 'second'), { message: /wrong password/ });
});

test('init refuses an existing repository and an empty password', async (t) => {
  const storage = new MemStorage();
  await initRepository(storage, 'pw', { kdf: KDF });
  await t.throwsAsync(initRepository(storage, 'pw', { kdf: KDF }), { message: /already exists/ });
  await t.throwsAsync(initRepository(new MemStorage(), '', { kdf: KDF }), { message: /empty password/ });
});

test('key files of another master key with the same password (a lost creation race) are skipped', async (t) => {
  const { createKeyFile, newMasterKey } = await import('../crypto/index.ts');
  const storage = new MemStorage();
  const repo = await initRepository(storage, 'pw', { kdf: KDF });
  for (let i = 0; i < 3; i++) {
    const stray = await createKeyFile(newMasterKey(), 'pw', { ...KDF, hostname: 'loser', username: 'x', created: '2026-01-01T00:00:00Z' });
    await storage.save({ type: 'key', name: stray.id }, stray.bytes);
  }
  for (let i = 0; i < 3; i++) {
    const again = await openRepository(storage, 'pw');
    t.is(again.keyId, repo.keyId);
    t.deepEqual(again.key.encrypt, repo.key.encrypt);
  }
});
