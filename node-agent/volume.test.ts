import test from 'ava';
import { cp, mkdir, mkdtemp, rm, stat, writeFile, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MemStorage, check, initRepository } from '../repository/index.ts';
import { compareTrees } from '../cli/demo/compare-trees.ts';
import { resolveVolumePath } from './volume-path.ts';
import { backupVolume, restoreVolume, DONE_DIR } from './volume-backup.ts';
import { waitForRestores } from './restore-helper.ts';

let root: string;
test.before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'skiff-agent-'));
});
test.after.always(async () => {
  await rm(root, { recursive: true, force: true });
});

async function podVolume(hostPods: string, uid: string, plugin: string, dir: string): Promise<string> {
  const p = path.join(hostPods, uid, 'volumes', plugin, dir);
  await mkdir(p, { recursive: true });
  return p;
}

test('volume paths resolve as the kubelet lays them out; ambiguity and absence are clear errors', async (t) => {
  const hp = path.join(root, 'host-pods');
  const empty = await podVolume(hp, 'uid-1', 'kubernetes.io~empty-dir', 'cache');
  const nfs = await podVolume(hp, 'uid-1', 'kubernetes.io~nfs', 'pv-nfs-1');
  const csi = await podVolume(hp, 'uid-1', 'kubernetes.io~csi', 'pvc-abc/mount');
  const inline = await podVolume(hp, 'uid-1', 'kubernetes.io~csi', 'scratch/mount');
  t.is(await resolveVolumePath(hp, 'uid-1', { kind: 'pod', volumeName: 'cache', csi: false }), empty);
  t.is(await resolveVolumePath(hp, 'uid-1', { kind: 'pv', pvName: 'pv-nfs-1', csi: false }), nfs);
  t.is(await resolveVolumePath(hp, 'uid-1', { kind: 'pv', pvName: 'pvc-abc', csi: true }), csi);
  t.is(await resolveVolumePath(hp, 'uid-1', { kind: 'pod', volumeName: 'scratch', csi: true }), inline);
  await podVolume(hp, 'uid-1', 'kubernetes.io~other', 'cache');
  await t.throwsAsync(resolveVolumePath(hp, 'uid-1', { kind: 'pod', volumeName: 'cache', csi: false }), { message: /expected one directory .* found 2/ });
  await t.throwsAsync(resolveVolumePath(hp, 'uid-1', { kind: 'pod', volumeName: 'nope', csi: false }), { message: /found 0/ });
  await t.throwsAsync(resolveVolumePath(hp, 'uid-9', { kind: 'pod', volumeName: 'cache', csi: false }), { message: /no volumes for pod uid-9/ });
  await t.throwsAsync(resolveVolumePath(hp, '../x', { kind: 'pod', volumeName: 'cache', csi: false }), { message: /invalid pod UID/ });
});

test('a re-created pod keeps its incremental chain; restore writes the data and the done file', async (t) => {
  const hp = path.join(root, 'hp2');
  const v1 = await podVolume(hp, 'pod-a', 'kubernetes.io~empty-dir', 'data');
  await mkdir(path.join(v1, 'sub'));
  await writeFile(path.join(v1, 'big.bin'), Buffer.alloc(5 * 1024 * 1024, 3));
  for (let i = 0; i < 50; i++) await writeFile(path.join(v1, 'sub', `f${i}`), `file ${i}\n`);
  await symlink('sub/f1', path.join(v1, 'link'));
  const repo = await initRepository(new MemStorage(), 'pw', { kdf: { N: 1024, r: 8, p: 1 } });
  const first = await backupVolume({ repo, volumePath: v1, identity: 'shop/deploy-web/data', tags: ['backup=b1'] });
  t.is(first.parentId, undefined);
  t.true(first.stats.dataAddedPacked > 0);
  // the Deployment's new pod: new UID, same data (copied, so inodes and ctimes differ)
  const v2 = path.join(hp, 'pod-b', 'volumes', 'kubernetes.io~empty-dir', 'data');
  await mkdir(path.dirname(v2), { recursive: true });
  await cp(v1, v2, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  const second = await backupVolume({ repo, volumePath: v2, identity: 'shop/deploy-web/data', tags: ['backup=b2'] });
  t.is(second.parentId, first.snapshotId);
  t.true(second.stats.dataAddedPacked < 4096, `new bytes: ${second.stats.dataAddedPacked}`);
  // another volume identity starts its own chain
  const other = await backupVolume({ repo, volumePath: v2, identity: 'shop/deploy-web/other' });
  t.is(other.parentId, undefined);

  const target = await podVolume(hp, 'pod-c', 'kubernetes.io~empty-dir', 'data');
  const res = await restoreVolume({ repo, snapshotId: second.snapshotId, volumePath: target, restoreUid: 'r-123' });
  t.deepEqual(res.warnings, []);
  await stat(path.join(target, DONE_DIR, 'r-123'));
  const restoresRoot = path.join(root, 'restores');
  await mkdir(restoresRoot);
  await symlink(target, path.join(restoresRoot, 'data'));
  t.deepEqual(await waitForRestores({ root: restoresRoot, restoreUid: 'r-123', timeoutMs: 1000, intervalMs: 10 }), ['data']);
  await t.throwsAsync(stat(path.join(target, DONE_DIR)));
  t.deepEqual((await compareTrees(v2, target)).diffs, []);
  t.deepEqual((await check(repo, { readData: true })).problems, []);
});

test('the restore helper gives up after its timeout, naming the volumes still missing', async (t) => {
  const r = path.join(root, 'restores-timeout');
  await mkdir(path.join(r, 'data'), { recursive: true });
  await mkdir(path.join(r, 'logs', DONE_DIR), { recursive: true });
  await writeFile(path.join(r, 'logs', DONE_DIR, 'uid-1'), '');
  const err = await t.throwsAsync(waitForRestores({ root: r, restoreUid: 'uid-1', timeoutMs: 50, intervalMs: 10 }));
  t.regex(err!.message, /volumes still not restored: data/);
  const none = await t.throwsAsync(waitForRestores({ root: path.join(root, 'nothing'), restoreUid: 'uid-1', timeoutMs: 20, intervalMs: 10 }));
  t.regex(none!.message, /no volumes are mounted/);
});
