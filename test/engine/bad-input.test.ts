/**
 * Bad input gets a clear error and loses nothing: wrong password, flipped bits in a pack, a
 * truncated index, a tree with `../` names, a URL with no repository.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile, mkdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  FsStorage,
  MemStorage,
  SkiffError,
  backup,
  check,
  initRepository,
  openRepository,
  resolveSnapshot,
  restoreTree,
  type Repository,
} from '../../repository/index.ts';
import { encodeTree, encodeSnapshot, type Node } from '../../repository/tree/index.ts';
import { main } from '../../cli/main.ts';
import { Writable } from 'node:stream';

const KDF = { N: 1024, r: 8, p: 1 };
let work: string;

test.before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'skiff-bad-'));
});
test.after.always(async () => {
  await rm(work, { recursive: true, force: true });
});

async function sourceTree(name: string): Promise<string> {
  const dir = path.join(work, name);
  await mkdir(path.join(dir, 'sub'), { recursive: true });
  await writeFile(path.join(dir, 'a.txt'), 'alpha\n'.repeat(1000));
  await writeFile(path.join(dir, 'sub', 'b.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
  return dir;
}

async function repoWithBackups(name: string): Promise<{ dir: string; repo: Repository; src: string; ids: string[] }> {
  const src = await sourceTree(`${name}-src`);
  const dir = path.join(work, name);
  const repo = await initRepository(new FsStorage(dir), 'pw', { kdf: KDF });
  const first = await backup(repo, { paths: ['.'], cwd: src });
  await writeFile(path.join(src, 'c.txt'), 'added later\n');
  const second = await backup(repo, { paths: ['.'], cwd: src });
  return { dir, repo, src, ids: [first.snapshotId, second.snapshotId] };
}

async function snapshotFiles(dir: string, sub: string): Promise<Map<string, Buffer>> {
  const m = new Map<string, Buffer>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else m.set(path.relative(dir, p), await readFile(p));
    }
  };
  await walk(path.join(dir, sub));
  return m;
}

test('wrong password: Auth error without the password, nothing changed', async (t) => {
  const { dir } = await repoWithBackups('wrongpw');
  const before = await snapshotFiles(dir, '.');
  const err = await t.throwsAsync(openRepository(new FsStorage(dir), 'not the password'), { instanceOf: SkiffError });
  t.is(err?.code, 'Auth');
  t.regex(err!.message, /wrong password/);
  t.notRegex(err!.message, /not the password/);
  t.deepEqual(await snapshotFiles(dir, '.'), before);
});

test('a URL with no repository is a clear NotFound error', async (t) => {
  const err = await t.throwsAsync(openRepository(new FsStorage(path.join(work, 'nothing-here')), 'pw'));
  t.regex(err!.message, /no repository at .*nothing-here/);
  const err2 = await t.throwsAsync(openRepository(new MemStorage(), 'pw'));
  t.regex(err2!.message, /no repository/);
});

test('a flipped bit in a pack: check names the pack, blob and snapshots; other data restores', async (t) => {
  const { dir, repo, src, ids } = await repoWithBackups('bitflip');
  // find the pack holding c.txt's blob (only in the second snapshot)
  const cId = createHash('sha256').update('added later\n').digest();
  await repo.loadIndex();
  const loc = repo.index.get(cId)!;
  const packPath = path.join(dir, 'data', loc.packId.slice(0, 2), loc.packId);
  const bytes = await readFile(packPath);
  bytes[loc.offset + 20]! ^= 0x01;
  await chmod(packPath, 0o600);
  await writeFile(packPath, bytes);
  const fresh = await openRepository(new FsStorage(dir), 'pw');
  const res = await check(fresh, { readData: true });
  const messages = res.problems.map((p) => p.message).join('\n');
  t.regex(messages, new RegExp(loc.packId.slice(0, 8)));
  t.regex(messages, new RegExp(cId.toString('hex').slice(0, 8)));
  const blobProblem = res.problems.find((p) => p.kind === 'blob' && p.snapshots);
  t.deepEqual(blobProblem?.snapshots, [ids[1]]);
  // the damage is left in place as evidence, byte for byte
  t.deepEqual(await readFile(packPath), bytes);
  // the first snapshot's data sits in an earlier pack and restores fine
  const sn = await resolveSnapshot(fresh, ids[0]!);
  const target = path.join(work, 'bitflip-restore');
  const r = await restoreTree(fresh, sn.snapshot.tree, { target });
  t.deepEqual(r.warnings, []);
  t.deepEqual(await readFile(path.join(target, 'a.txt')), await readFile(path.join(src, 'a.txt')));
  t.deepEqual(await readFile(path.join(target, 'sub', 'b.bin')), await readFile(path.join(src, 'sub', 'b.bin')));
  // restoring the damaged snapshot names the damaged file and does not write wrong data
  const target2 = path.join(work, 'bitflip-restore2');
  const r2 = await restoreTree(fresh, (await resolveSnapshot(fresh, ids[1]!)).snapshot.tree, { target: target2 });
  t.true(r2.warnings.some((w) => w.path.endsWith('c.txt') && /damaged|hash|verification/.test(w.message)));
  // the damaged blob was not written: the file holds zeros (preallocated), not corrupt bytes
  t.deepEqual(await readFile(path.join(target2, 'c.txt')), Buffer.alloc('added later\n'.length));
});

test('a truncated index: open fails with Integrity naming the index; check reports it', async (t) => {
  const { dir } = await repoWithBackups('truncidx');
  const [idx] = await readdir(path.join(dir, 'index'));
  const p = path.join(dir, 'index', idx!);
  const bytes = await readFile(p);
  await chmod(p, 0o600);
  await writeFile(p, bytes.subarray(0, bytes.length - 10));
  const repo = await openRepository(new FsStorage(dir), 'pw');
  const err = await t.throwsAsync(repo.loadIndex());
  t.is((err as SkiffError).code, 'Integrity');
  t.regex(err!.message, new RegExp(`index ${idx!.slice(0, 8)}`));
  const res = await check(await openRepository(new FsStorage(dir), 'pw'));
  t.true(res.problems.some((p) => p.kind === 'index' && p.id === idx));
  t.is((await stat(p)).size, bytes.length - 10);
});

test('a tree with ../ names: restore refuses and writes nothing outside the target', async (t) => {
  const dir = path.join(work, 'evil');
  const repo = await initRepository(new FsStorage(dir), 'pw', { kdf: KDF });
  const evilFile: Node = {
    name: Buffer.from('evil.txt'),
    type: 'file',
    mode: 0o644,
    mtime: '2024-01-01T00:00:00Z',
    atime: '2024-01-01T00:00:00Z',
    ctime: '2024-01-01T00:00:00Z',
    uid: 0,
    gid: 0,
    content: [],
  };
  // hand-craft the bytes: encodeTree refuses such names, so build the JSON directly
  const good = encodeTree([evilFile]).toString();
  const evilTree = Buffer.from(good.replace('"name":"evil.txt"', '"name":"../evil.txt"'));
  t.not(evilTree.toString(), good);
  const saved = await repo.saveBlob('tree', evilTree);
  await repo.flush();
  await repo.saveUnpacked('snapshot', encodeSnapshot({ time: '2024-01-01T00:00:00Z', tree: saved.id.toString('hex'), paths: ['/x'] }));
  const target = path.join(work, 'evil-target', 'inner');
  const err = await t.throwsAsync(restoreTree(repo, saved.id.toString('hex'), { target }));
  t.regex(err!.message, /invalid name|refusing/);
  await t.throwsAsync(stat(path.join(work, 'evil-target', 'evil.txt')));
});

test('CLI: errors are one line with the right exit code, the password never printed', async (t) => {
  const run = async (args: string[], env: NodeJS.ProcessEnv) => {
    let stdout = '';
    let stderr = '';
    const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
    const code = await main(args, { env, cwd: work, stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
    return { code, stdout, stderr };
  };
  const repoDir = path.join(work, 'cli-repo');
  const env = { SKIFF_PASSWORD: 'cli-secret-pw', SKIFF_REPOSITORY: repoDir };
  t.is((await run(['repo', 'init'], env)).code, 0);
  const wrong = await run(['repo', 'snapshots'], { ...env, SKIFF_PASSWORD: 'wrong-secret-pw' });
  t.is(wrong.code, 12);
  t.is(wrong.stderr.trim().split('\n').length, 1);
  t.regex(wrong.stderr, /wrong password/);
  t.notRegex(wrong.stderr + wrong.stdout, /secret-pw/);
  const none = await run(['repo', 'snapshots'], { ...env, SKIFF_REPOSITORY: path.join(work, 'no-such-repo') });
  t.is(none.code, 10);
  t.regex(none.stderr, /no repository at/);
  const again = await run(['repo', 'init'], env);
  t.is(again.code, 1);
  t.regex(again.stderr, /already exists/);
});

test('a missing pack: check names it and the snapshots that need it; the others restore', async (t) => {
  const { dir, repo, ids, src } = await repoWithBackups('missingpack');
  const cId = createHash('sha256').update('added later\n').digest();
  await repo.loadIndex();
  const loc = repo.index.get(cId)!;
  await rm(path.join(dir, 'data', loc.packId.slice(0, 2), loc.packId), { force: true });
  const fresh = await openRepository(new FsStorage(dir), 'pw');
  const res = await check(fresh);
  const packProblem = res.problems.find((p) => p.kind === 'pack' && p.id === loc.packId);
  t.regex(packProblem?.message ?? '', /missing/);
  const blob = res.problems.find((p) => p.kind === 'blob' && p.id === cId.toString('hex'));
  t.deepEqual(blob?.snapshots, [ids[1]]);
  const target = path.join(work, 'missingpack-restore');
  t.deepEqual((await restoreTree(fresh, (await resolveSnapshot(fresh, ids[0]!)).snapshot.tree, { target })).warnings, []);
  t.deepEqual(await readFile(path.join(target, 'a.txt')), await readFile(path.join(src, 'a.txt')));
});

test('a damaged snapshot: check names it, listing and restoring the others still work, the file stays', async (t) => {
  const { dir, ids } = await repoWithBackups('badsnap');
  const p = path.join(dir, 'snapshots', ids[0]!);
  const bytes = await readFile(p);
  bytes[bytes.length - 5]! ^= 0x40;
  await chmod(p, 0o600);
  await writeFile(p, bytes);
  const fresh = await openRepository(new FsStorage(dir), 'pw');
  const res = await check(fresh);
  const problem = res.problems.find((x) => x.kind === 'snapshot');
  t.is(problem?.id, ids[0]);
  t.regex(problem!.message, /damaged/);
  await fresh.loadIndex();
  const other = await resolveSnapshot(fresh, ids[1]!);
  t.deepEqual((await restoreTree(fresh, other.snapshot.tree, { target: path.join(work, 'badsnap-restore') })).warnings, []);
  // a new backup and a check leave the damaged file as it was: evidence is never rewritten or deleted
  await backup(fresh, { paths: ['.'], cwd: path.join(work, 'badsnap-src') });
  t.deepEqual(await readFile(p), bytes);
});
