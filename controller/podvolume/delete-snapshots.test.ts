import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { API_VERSION, type Backup, type PodVolumeBackup } from '../../crds/index.ts';
import { acquireLock, backup as engineBackup } from '../../repository/index.ts';
import { backupKeys, gzipJson } from '../backup/index.ts';
import { silentLogger, type ReconcileContext } from '../runtime/index.ts';
import { volumeSnapshotDeleter } from './delete-snapshots.ts';
import { podVolumeBackupObject } from './objects.ts';
import { type MemEnv, memEnv } from './testing/fakes.ts';

const b1 = { apiVersion: API_VERSION, kind: 'Backup', metadata: { name: 'b1', uid: 'u1' }, spec: { storageLocation: 'default' } } as Backup;

function pvb(ns: string, snapshotID: string): PodVolumeBackup {
  const o = podVolumeBackupObject({ backup: b1, pod: { namespace: ns, name: 'p', uid: 'x' }, node: 'n', volume: 'v', backupStorageLocation: 'default', repoIdentifier: 'r', identity: 'i', suffix: snapshotID.slice(0, 5) });
  o.status = { phase: 'Completed', snapshotID };
  return o;
}

/** three snapshots in namespace `app`'s repository; returns their IDs */
async function snapshots(env: MemEnv): Promise<string[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skiff-del-'));
  try {
    return await env.deps.access.withRepository('default', 'app', { create: true }, async ({ repo }) => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        await writeFile(path.join(dir, 'f'), `version ${i}`);
        ids.push((await engineBackup(repo, { paths: ['.'], cwd: dir })).snapshotId);
      }
      return ids;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function remaining(env: MemEnv): Promise<string[]> {
  return env.deps.access.withRepository('default', 'app', { create: false }, async ({ repo }) => (await repo.listIds('snapshot')).map((f) => f.name).sort());
}

function ctx(env: MemEnv): ReconcileContext {
  return { client: env.client, log: silentLogger(), clock: env.deps.clock, signal: new AbortController().signal, objectStore: async () => env.store };
}

test('deleting a backup forgets exactly its volume snapshots, again without harm, and skips repositories that never existed', async (t) => {
  const env = await memEnv();
  const [s1, s2, s3] = await snapshots(env);
  // s3 belongs to another backup; "other" never had a repository
  await env.store.put(backupKeys('b1').podVolumeBackups, gzipJson([pvb('app', s1 ?? ''), pvb('app', s2 ?? ''), pvb('other', 'f'.repeat(64))]));
  const del = volumeSnapshotDeleter(env.deps);
  await del(b1, ctx(env));
  t.deepEqual(await remaining(env), [s3]);
  await del(b1, ctx(env));
  t.deepEqual(await remaining(env), [s3]);
});

test('a locked repository is waited for, and named in the error when the lock outlasts the wait', async (t) => {
  const env = await memEnv({ deps: { lockWaitMs: 300 } });
  const [s1] = await snapshots(env);
  await env.store.put(backupKeys('b1').podVolumeBackups, gzipJson([pvb('app', s1 ?? '')]));
  const del = volumeSnapshotDeleter(env.deps);
  await env.deps.access.withRepository('default', 'app', { create: false }, async ({ repo }) => {
    const lock = await acquireLock(repo, { exclusive: true, settleMs: 0 });
    try {
      const err = await t.throwsAsync(del(b1, ctx(env)));
      t.regex(err?.message ?? '', /^cannot forget volume snapshots: repository of namespace app in location "default": repository is already locked exclusively/);
    } finally {
      await lock.release();
    }
  });
  t.is((await remaining(env)).length, 3);
  // a lock released while the deletion waits
  const patient = volumeSnapshotDeleter({ ...env.deps, lockWaitMs: 10_000 });
  await env.deps.access.withRepository('default', 'app', { create: false }, async ({ repo }) => {
    const lock = await acquireLock(repo, { exclusive: false, settleMs: 0 });
    const deleting = patient(b1, ctx(env));
    await new Promise((r) => setTimeout(r, 300));
    t.is((await remaining(env)).length, 3, 'still waiting for the lock');
    await lock.release();
    await deleting;
  });
  t.false((await remaining(env)).includes(s1 ?? ''));
  t.is((await remaining(env)).length, 2);
});
