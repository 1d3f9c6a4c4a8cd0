import test from 'ava';
import { backup, check, initRepository, isCode, MemStorage, openRepository, SkiffError, type Storage } from '../repository/index.ts';
import { openOrInit } from './repo-init.ts';

const kdf = { N: 1024, r: 8, p: 1 };

async function keyCount(s: Storage): Promise<number> {
  let n = 0;
  for await (const _ of s.list('key')) n++;
  return n;
}

test('agents racing to create one repository end with one config, one key, and the same master key', async (t) => {
  const storage = new MemStorage();
  const opened = await Promise.all([1, 2, 3].map(() => openOrInit(storage, 'pw', { kdf, settleMs: 20 })));
  t.is(opened.filter((o) => o.created).length, 1);
  t.is(new Set(opened.map((o) => o.repo.config.id)).size, 1);
  t.is(new Set(opened.map((o) => o.repo.keyId)).size, 1);
  t.is(await keyCount(storage), 1, 'the losers removed their key files');
  // each can write, and everything reads back with the password
  for (const { repo } of opened) await backup(repo, { paths: ['.'], cwd: import.meta.dirname, tags: ['x'] });
  const reopened = await openRepository(storage, 'pw');
  t.deepEqual((await check(reopened, { readData: true })).problems, []);
});

test('an existing repository is opened; a wrong password is Auth and changes nothing', async (t) => {
  const storage = new MemStorage();
  const first = await initRepository(storage, 'right', { kdf });
  const again = await openOrInit(storage, 'right', { kdf, settleMs: 0 });
  t.false(again.created);
  t.is(again.repo.config.id, first.config.id);
  const err = await t.throwsAsync(openOrInit(storage, 'wrong', { kdf, settleMs: 0 }));
  t.true(isCode(err, 'Auth'));
  t.is(await keyCount(storage), 1);
});

test('a key orphaned by a lost race (written, then its config refused) is removed', async (t) => {
  const real = new MemStorage();
  const winner = await initRepository(real, 'pw', { kdf });
  // the loser looked before the winner's config landed: its first config read and stat say "none"
  let hidden = 2;
  const hide = (h: { type: string }) => h.type === 'config' && hidden-- > 0;
  const racing: Storage = {
    location: real.location,
    connections: real.connections,
    create: async () => undefined,
    save: (h, d, o) => real.save(h, d, o),
    load: (h, o) => (hide(h) ? Promise.reject(new SkiffError('NotFound', 'config not found')) : real.load(h, o)),
    stat: (h) => (hide(h) ? Promise.reject(new SkiffError('NotFound', 'config not found')) : real.stat(h)),
    list: (type, o) => real.list(type, o),
    remove: (h) => real.remove(h),
    close: async () => undefined,
  };
  let keysWritten = 0;
  const save = racing.save;
  racing.save = (h, d, o) => ((keysWritten += h.type === 'key' ? 1 : 0), save(h, d, o));
  const { repo, created } = await openOrInit(racing, 'pw', { kdf, settleMs: 0 });
  t.is(keysWritten, 1, 'the loser did write a key before its config was refused');
  t.false(created);
  t.is(repo.keyId, winner.keyId);
  t.is(await keyCount(real), 1, 'the loser removed its own key file');
});
