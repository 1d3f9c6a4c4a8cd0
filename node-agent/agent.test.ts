import test from 'ava';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PLURALS, type PodVolumeBackup, type PodVolumeRestore } from '../crds/index.ts';
import { check, listLocks, listSnapshots } from '../repository/index.ts';
import { compareTrees } from '../cli/demo/compare-trees.ts';
import { pollUntil } from '../test/kube/wait.ts';
import type { ResourceClient } from '../controller/kube/index.ts';
import type { KubeObject } from '../controller/runtime/index.ts';
import { labelledSource } from './agent-kube.ts';
import { agentLeaseName } from './agent-lease.ts';
import { DONE_DIR } from './volume-backup.ts';
import { podVolumeBackup, podVolumeRestore } from './testing/builders.ts';
import { memAgentEnv, type MemAgentEnv } from './testing/mem-agent.ts';

const PVB = PLURALS.PodVolumeBackup;
const PVR = PLURALS.PodVolumeRestore;

async function final<T extends PodVolumeBackup | PodVolumeRestore>(env: MemAgentEnv, plural: string, name: string, timeoutMs = 10_000): Promise<T> {
  return pollUntil(`${plural}/${name} to finish`, async () => {
    const o = await env.client.get<T>(plural, name);
    return ['Completed', 'Failed', 'Canceled'].includes(o?.status?.phase ?? '') ? o : undefined;
  }, { timeoutMs, intervalMs: 10 });
}

test('a PVB of this node is backed up into fsb/<ns> with its tags; another node\'s PVB is never touched', async (t) => {
  const env = await memAgentEnv();
  t.teardown(() => env.cleanup());
  const dirs = await env.addPod('shop', 'web-1', 'uid-web-1', 'node-1', ['cache']);
  await mkdir(path.join(dirs['cache']!, 'sub'));
  await writeFile(path.join(dirs['cache']!, 'sub', 'a.txt'), 'hello\n');
  await writeFile(path.join(dirs['cache']!, 'big.bin'), Buffer.alloc(300_000, 7));
  const pod = { namespace: 'shop', name: 'web-1', uid: 'uid-web-1' };
  await env.client.create(PVB, podVolumeBackup({ name: 'b1-aaaaa', node: 'node-1', pod, volume: 'cache', identity: 'shop/Deployment/web/cache' }));
  await env.client.create(PVB, podVolumeBackup({ name: 'b1-bbbbb', node: 'node-2', pod: { ...pod, name: 'other' }, volume: 'cache' }));
  const agent = await env.start();
  const done = await final<PodVolumeBackup>(env, PVB, 'b1-aaaaa');
  t.is(done.status?.phase, 'Completed', done.status?.message);
  t.regex(done.status?.snapshotID ?? '', /^[0-9a-f]{64}$/);
  t.is(done.status?.path, dirs['cache']);
  t.deepEqual(done.status?.progress, { totalBytes: 300_006, bytesDone: 300_006 });
  t.truthy(done.status?.startTimestamp);
  t.truthy(done.status?.completionTimestamp);
  t.true(agent.ready());

  const repo = await env.repo('shop');
  const snaps = await listSnapshots(repo);
  t.is(snaps.length, 1);
  t.is(snaps[0]!.id, done.status?.snapshotID ?? "");
  t.deepEqual(snaps[0]!.snapshot.tags, ['identity=shop/Deployment/web/cache', 'backup=b1', 'backup-uid=backup-uid-1', 'ns=shop', 'pod=web-1', 'volume=cache']);
  t.deepEqual(await listLocks(repo), [], 'the lock was released');
  t.deepEqual((await check(repo, { readData: true })).problems, []);
  t.is((await env.client.get<PodVolumeBackup>(PVB, 'b1-bbbbb'))?.status, undefined, "node-2's work is not ours");
  const lease = env.leases.get(agentLeaseName('node-1'));
  t.is(lease?.spec?.holderIdentity, 'node-1');
  t.regex(lease?.spec?.renewTime ?? '', /\.\d{6}Z$/);
});

test('a restore waits for the pod volume directory, writes the data and then the done file', async (t) => {
  const env = await memAgentEnv();
  t.teardown(() => env.cleanup());
  const src = await env.addPod('shop', 'web-1', 'uid-1', 'node-1', ['data']);
  await writeFile(path.join(src['data']!, 'f.txt'), 'restore me\n', { mode: 0o640 });
  await env.client.create(PVB, podVolumeBackup({ name: 'b-1', node: 'node-1', pod: { namespace: 'shop', name: 'web-1', uid: 'uid-1' }, volume: 'data' }));
  await env.start();
  const backed = await final<PodVolumeBackup>(env, PVB, 'b-1');
  t.is(backed.status?.phase, 'Completed', backed.status?.message);

  // the restored pod (another namespace) is created now; its volume directory appears later
  await env.client.create(PVR, podVolumeRestore({ name: 'r-1', node: 'node-1', pod: { namespace: 'shop2', name: 'web-1', uid: 'uid-2' }, volume: 'data', snapshotID: backed.status!.snapshotID!, sourceNamespace: 'shop' }));
  await pollUntil('the restore to start', async () => ((await env.client.get<PodVolumeRestore>(PVR, 'r-1'))?.status?.phase === 'InProgress' ? true : undefined), { intervalMs: 10 });
  const dst = await env.addPod('shop2', 'web-1', 'uid-2', 'node-1', ['data']);
  const restored = await final<PodVolumeRestore>(env, PVR, 'r-1');
  t.is(restored.status?.phase, 'Completed', restored.status?.message);
  t.is(restored.status?.node, 'node-1');
  t.is(await readFile(path.join(dst['data']!, DONE_DIR, 'restore-uid-1'), 'utf8'), '');
  await rm(path.join(dst['data']!, DONE_DIR), { recursive: true });
  t.deepEqual((await compareTrees(src['data']!, dst['data']!)).diffs, []);
});

test('clear failures: a missing volume directory, a re-created pod, a restore whose directory never appears', async (t) => {
  const env = await memAgentEnv();
  t.teardown(() => env.cleanup());
  env.pods.push({ metadata: { name: 'nodir', namespace: 'ns', uid: 'uid-nodir' }, spec: { nodeName: 'node-1', volumes: [{ name: 'v' }] } });
  await env.addPod('ns', 'web', 'uid-new', 'node-1', ['v']);
  await env.client.create(PVB, podVolumeBackup({ name: 'nodir', node: 'node-1', pod: { namespace: 'ns', name: 'nodir', uid: 'uid-nodir' }, volume: 'v' }));
  await env.client.create(PVB, podVolumeBackup({ name: 'recreated', node: 'node-1', pod: { namespace: 'ns', name: 'web', uid: 'uid-old' }, volume: 'v' }));
  await env.client.create(PVR, podVolumeRestore({ name: 'never', node: 'node-1', pod: { namespace: 'ns', name: 'nodir', uid: 'uid-nodir' }, volume: 'v', snapshotID: 'abcd' }));
  await env.start({ restoreWaitTimeoutMs: 100 });
  const nodir = await final<PodVolumeBackup>(env, PVB, 'nodir');
  t.is(nodir.status?.phase, 'Failed');
  t.regex(nodir.status?.message ?? '', /no volumes for pod uid-nodir under .* \(is the pod running on this node/);
  const recreated = await final<PodVolumeBackup>(env, PVB, 'recreated');
  t.is(recreated.status?.phase, 'Failed');
  t.regex(recreated.status?.message ?? '', /pod ns\/web was re-created \(UID uid-new, this work is for UID uid-old\)/);
  const never = await final<PodVolumeRestore>(env, PVR, 'never');
  t.is(never.status?.phase, 'Failed');
  t.regex(never.status?.message ?? '', /volume v of pod ns\/nodir did not appear on node node-1 within 0\.1s: no volumes for pod uid-nodir/);
});

test('start fails work left InProgress; spec.cancel and stop end waiting and running work with a reason', async (t) => {
  const env = await memAgentEnv();
  t.teardown(() => env.cleanup());
  env.pods.push({ metadata: { name: 'p', namespace: 'ns', uid: 'uid-p' }, spec: { nodeName: 'node-1', volumes: [{ name: 'v' }] } });
  await env.addPod('ns', 'q', 'uid-q', 'node-1', ['v']);
  const onP = { namespace: 'ns', name: 'p', uid: 'uid-p' };
  const onQ = { namespace: 'ns', name: 'q', uid: 'uid-q' };
  await env.client.create(PVB, podVolumeBackup({ name: 'interrupted', node: 'node-1', pod: onP, volume: 'v' }));
  await env.client.patchStatus(PVB, 'interrupted', { phase: 'InProgress' });
  await env.client.create(PVB, podVolumeBackup({ name: 'elsewhere', node: 'node-2', pod: onP, volume: 'v' }));
  await env.client.patchStatus(PVB, 'elsewhere', { phase: 'InProgress' });
  // a repository that holds the one slot until released
  let releaseRepo!: () => void;
  const held = new Promise<never>((_, reject) => (releaseRepo = () => reject(new Error('released'))));
  const agent = await env.start({ concurrency: 1, repos: { withRepository: () => held } });
  const interrupted = await env.client.get<PodVolumeBackup>(PVB, 'interrupted');
  t.is(interrupted?.status?.phase, 'Failed');
  t.is(interrupted?.status?.message, 'node agent restarted during the backup');
  t.is((await env.client.get<PodVolumeBackup>(PVB, 'elsewhere'))?.status?.phase, 'InProgress', "another node's work is left alone");

  const phase = async (plural: string, name: string) => (await env.client.get<PodVolumeBackup>(plural, name))?.status?.phase;
  const until = (what: string, ok: () => Promise<boolean>) => pollUntil(what, async () => ((await ok()) ? true : undefined), { intervalMs: 10 });
  await env.client.create(PVB, podVolumeBackup({ name: 'slow', node: 'node-1', pod: onQ, volume: 'v' }));
  await until('slow to hold the slot', async () => (await phase(PVB, 'slow')) === 'InProgress');
  await env.client.create(PVB, podVolumeBackup({ name: 'queued', node: 'node-1', pod: onQ, volume: 'v' }));
  await env.client.create(PVB, podVolumeBackup({ name: 'left-new', node: 'node-1', pod: onQ, volume: 'v' }));
  const pvr = (name: string) => podVolumeRestore({ name, node: 'node-1', pod: onP, volume: 'v', snapshotID: 'abcd' });
  await env.client.create(PVR, pvr('waiting'));
  await env.client.create(PVR, pvr('stopped'));
  await until('two backups waiting for the slot, two restores waiting for their pod', async () =>
    agent.load().queued === 2 && (await phase(PVR, 'waiting')) === 'InProgress' && (await phase(PVR, 'stopped')) === 'InProgress');
  t.deepEqual(agent.load(), { running: 1, queued: 2 }, 'restores waiting for their pod hold no slot');
  t.is(await phase(PVB, 'queued'), undefined, 'a backup waiting for a slot is still New');

  await env.client.patch(PVB, 'queued', { spec: { cancel: true } });
  await env.client.patch(PVR, 'waiting', { spec: { cancel: true } });
  const queued = await final<PodVolumeBackup>(env, PVB, 'queued');
  t.is(queued.status?.phase, 'Canceled');
  t.is(queued.status?.message, 'canceled before the backup started');
  const waiting = await final<PodVolumeRestore>(env, PVR, 'waiting');
  t.is(waiting.status?.phase, 'Canceled');
  t.is(waiting.status?.message, 'canceled (spec.cancel) during the restore');

  const stopping = agent.stop();
  releaseRepo();
  await stopping;
  const slow = await env.client.get<PodVolumeBackup>(PVB, 'slow');
  t.deepEqual([slow?.status?.phase, slow?.status?.message], ['Failed', 'node agent stopped during the backup']);
  const stopped = await env.client.get<PodVolumeRestore>(PVR, 'stopped');
  t.deepEqual([stopped?.status?.phase, stopped?.status?.message], ['Failed', 'node agent stopped during the restore']);
  t.is(await phase(PVB, 'left-new'), undefined, 'work that never started stays New for the next run');
  await t.throwsAsync(stat(path.join(env.hostPods, 'uid-p')), undefined, 'nothing was written for the pod');
});

test('the kube source always lists and watches with the node label selector', async (t) => {
  const seen: string[] = [];
  const fake = {
    listPage: async (o: { labelSelector?: string }) => (seen.push(`list ${o.labelSelector}`), { items: [], resourceVersion: '1' }),
    watch: async (o: { labelSelector?: string }) => void seen.push(`watch ${o.labelSelector}`),
  } as unknown as ResourceClient<KubeObject>;
  const src = labelledSource(fake, 'skiff.dev/node=node-1');
  await src.listPage({ limit: 10 });
  await src.watch({ resourceVersion: '1' }, () => undefined);
  t.deepEqual(seen, ['list skiff.dev/node=node-1', 'watch skiff.dev/node=node-1']);
});
