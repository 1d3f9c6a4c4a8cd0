/**
 * The node agent against the real API server and the embedded S3: two agents (node-1, node-2)
 * in this process, a third (node-3) as a child process that is SIGKILLed mid-backup. The test
 * plays the controller: it creates PodVolumeBackups/Restores as the protocol says. Serial tests
 * change the world in order; restic's check (a concurrent test, so it runs after them) reads
 * every repository the agents wrote.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { API_VERSION, PLURALS, type PodVolumeBackup, type PodVolumeRestore } from '../crds/index.ts';
import { check, listLocks, listSnapshots, openRepository, type Repository } from '../repository/index.ts';
import { S3Storage } from '../repository/storage/index.ts';
import { makeLogger, silentLogger, type KubeObject } from '../controller/runtime/index.ts';
import { compareTrees } from '../cli/demo/compare-trees.ts';
import { runSkiff } from '../cli/cluster/testing/run-skiff.ts';
import { kubeTestsEnabled } from '../test/kube/gate.ts';
import { pollUntil } from '../test/kube/index.ts';
import { makeOddTree } from '../test/support/odd-tree.ts';
import { testWithRestic } from '../test/support/restic.ts';
import { runNodeAgent, type RunningNodeAgent } from './agent-kube.ts';
import { agentLeaseName } from './agent-lease.ts';
import { DONE_DIR } from './volume-backup.ts';
import { spawnAgent, type AgentProcess } from './testing/agent-process.ts';
import { podVolumeBackup, podVolumeRestore } from './testing/builders.ts';
import { BUCKET, PASSWORD, PREFIX, SERVER_NS, startAgentKubeEnv, type AgentKubeEnv, type Pod } from './testing/kube-env.ts';

const PVB = PLURALS.PodVolumeBackup;
const PVR = PLURALS.PodVolumeRestore;
const log = process.env['SKIFF_TEST_LOG'] === '1' ? makeLogger({ level: 'debug', destination: process.stderr }) : silentLogger();

let env: AgentKubeEnv | undefined;
const agents: RunningNodeAgent[] = [];
const children: AgentProcess[] = [];
let work = '';
/** what the backup test made, for the restore test: volume → { pod, source dir, snapshot } */
const backedUp = new Map<string, { pod: string; dir: string; snapshotID: string }>();

const world = (): AgentKubeEnv => env ?? (() => { throw new Error('no environment') })();
const ref = (p: Pod) => ({ namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid });

async function finished<T extends PodVolumeBackup | PodVolumeRestore>(plural: string, name: string, timeoutMs = 60_000): Promise<T> {
  return pollUntil(`${plural}/${name} to finish`, async () => {
    const o = await world().client.get<T>(plural, name);
    return ['Completed', 'Failed', 'Canceled'].includes(o?.status?.phase ?? '') ? o : undefined;
  }, { timeoutMs, intervalMs: 100 });
}

async function phaseOf(plural: string, name: string): Promise<string | undefined> {
  return (await world().client.get<PodVolumeBackup>(plural, name))?.status?.phase;
}

function repoStorage(ns: string): S3Storage {
  const { s3 } = world();
  return new S3Storage({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    bucket: BUCKET,
    prefix: `${PREFIX}/fsb/${ns}`,
  });
}

async function withRepo<T>(ns: string, fn: (repo: Repository) => Promise<T>): Promise<T> {
  const storage = repoStorage(ns);
  try {
    return await fn(await openRepository(storage, PASSWORD));
  } finally {
    await storage.close();
  }
}

async function ourCheck(t: ExecutionContext, ns: string): Promise<void> {
  await withRepo(ns, async (repo) => t.deepEqual((await check(repo, { readData: true })).problems, [], `our check of fsb/${ns}`));
}

async function createOwner(kind: 'Restore', name: string): Promise<string> {
  const o = await world().client.create<KubeObject>(PLURALS[kind], { apiVersion: API_VERSION, kind, metadata: { name }, spec: { backupName: 'b1' } } as KubeObject);
  return o.metadata.uid ?? '';
}

function agentFor(node: string): Promise<RunningNodeAgent> {
  return runNodeAgent({ node, hostPods: world().hostPods[node]!, namespace: SERVER_NS, kubeconfig: world().agentKubeconfig, progressIntervalMs: 200, restoreWaitTimeoutMs: 60_000, log });
}

if (kubeTestsEnabled('node agent integration tests')) {
  test.before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'skiff-agent-kube-'));
    env = await startAgentKubeEnv();
    for (const ns of ['shop', 'shop-restored', 'big']) await env.createNamespace(ns);
    agents.push(await agentFor('node-1'), await agentFor('node-2'));
    await pollUntil('both agents to list their work', async () => (agents.every((a) => a.ready()) ? true : undefined), { intervalMs: 50 });
  });
  test.after.always(async () => {
    for (const c of children) c.child.kill('SIGKILL');
    await Promise.all(agents.map((a) => a.stop()));
    await env?.stop();
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  test.serial('two agents back up the emptyDir, NFS-style, CSI-style and PVC volumes of their own node into fsb/<ns>', async (t) => {
    const w = world();
    const web = await w.createPod('shop', 'web-1', 'node-1', [
      { name: 'cache', emptyDir: {} },
      { name: 'shared', nfs: { server: 'nfs.example.com', path: '/exports/shared' } },
      { name: 'scratch', csi: { driver: 'inline.csi.example.com' } },
    ]);
    await w.createBoundClaim('shop', 'data-db-0', 'pv-data-db-0');
    const db = await w.createPod('shop', 'db-0', 'node-2', [
      { name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } },
      { name: 'logs', emptyDir: {} },
    ]);
    const webDirs = await w.layout(web);
    const dbDirs = await w.layout(db, { data: 'pv-data-db-0' });
    t.regex(webDirs['shared']!, /kubernetes\.io~nfs\/shared$/);
    t.regex(dbDirs['data']!, /kubernetes\.io~csi\/pv-data-db-0\/mount$/);
    await makeOddTree(webDirs['cache']!, { bigFile: 1024 * 1024, crowded: 40 });
    await writeFile(path.join(webDirs['shared']!, 'report.csv'), 'a,b\n1,2\n');
    await mkdir(path.join(webDirs['scratch']!, 'tmp'));
    await writeFile(path.join(webDirs['scratch']!, 'tmp', 'x.bin'), randomBytes(200_000));
    await writeFile(path.join(dbDirs['data']!, 'table.db'), randomBytes(3 * 1024 * 1024), { mode: 0o600 });
    await writeFile(path.join(dbDirs['logs']!, 'db.log'), 'started\n'.repeat(1000));

    const pvcUid = (await w.dynamic.resource({ group: '', version: 'v1', resource: 'persistentvolumeclaims' }, 'shop').get('data-db-0'))?.metadata.uid ?? '';
    const items = [
      { name: 'b1-w1cac', pod: web, volume: 'cache', node: 'node-1', dir: webDirs['cache']! },
      { name: 'b1-w1sha', pod: web, volume: 'shared', node: 'node-1', dir: webDirs['shared']! },
      { name: 'b1-w1scr', pod: web, volume: 'scratch', node: 'node-1', dir: webDirs['scratch']! },
      { name: 'b1-d0dat', pod: db, volume: 'data', node: 'node-2', dir: dbDirs['data']!, pvcUid },
      { name: 'b1-d0log', pod: db, volume: 'logs', node: 'node-2', dir: dbDirs['logs']! },
    ];
    for (const x of items) {
      const identity = x.pvcUid ?? `shop/StatefulSet/${x.pod.metadata.name.replace(/-\d+$/, '')}/${x.volume}`;
      await w.client.create(PVB, podVolumeBackup({ name: x.name, node: x.node, pod: ref(x.pod), volume: x.volume, identity, ...(x.pvcUid === undefined ? {} : { pvcUid: x.pvcUid }) }));
    }
    // work for a node without an agent is left alone
    await w.client.create(PVB, podVolumeBackup({ name: 'b1-nobody', node: 'node-3', pod: ref(web), volume: 'cache' }));
    for (const x of items) {
      const done = await finished<PodVolumeBackup>(PVB, x.name);
      t.is(done.status?.phase, 'Completed', `${x.name}: ${done.status?.message}`);
      t.is(done.status?.path, x.dir, `${x.name} was done by the agent of ${x.node}, in its own host pods directory`);
      t.true((done.status?.progress?.bytesDone ?? 0) > 0);
      backedUp.set(x.volume, { pod: x.pod.metadata.name, dir: x.dir, snapshotID: done.status?.snapshotID ?? '' });
    }
    t.is(await phaseOf(PVB, 'b1-nobody'), undefined);
    await w.client.delete(PVB, 'b1-nobody');
    const lease = await w.dynamic.resource({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases' }, SERVER_NS).get(agentLeaseName('node-2'));
    t.is((lease as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity, 'node-2', 'the agent keeps its liveness Lease (its RBAC allows it)');

    await withRepo('shop', async (repo) => {
      const snaps = await listSnapshots(repo);
      t.deepEqual(snaps.map((s) => s.id).sort(), [...backedUp.values()].map((b) => b.snapshotID).sort());
      t.true(snaps.some((s) => s.snapshot.tags?.includes(`identity=${pvcUid}`) && s.snapshot.tags.includes(`pvc-uid=${pvcUid}`)));
      t.deepEqual(await listLocks(repo), [], 'every lock was released');
    });
    await ourCheck(t, 'shop');
  });

  test.serial('restores into new pods wait for their volume directories, write the data byte for byte and the done files', async (t) => {
    const w = world();
    t.is(backedUp.size, 5, 'the backup test ran');
    const restoreUid = await createOwner('Restore', 'r1');
    await w.createBoundClaim('shop-restored', 'data-db-0', 'pv-restored-data');
    const web = await w.createPod('shop-restored', 'web-1', 'node-1', [{ name: 'cache', emptyDir: {} }, { name: 'shared', nfs: { server: 'nfs.example.com', path: '/x' } }, { name: 'scratch', csi: { driver: 'inline.csi.example.com' } }]);
    const db = await w.createPod('shop-restored', 'db-0', 'node-2', [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }, { name: 'logs', emptyDir: {} }]);
    const pods = { 'web-1': web, 'db-0': db };
    for (const [volume, b] of backedUp) {
      const pod = pods[b.pod as keyof typeof pods];
      await w.client.create(PVR, podVolumeRestore({ name: `r1-${volume}`, node: pod.spec?.nodeName ?? '', pod: ref(pod), volume, snapshotID: b.snapshotID, sourceNamespace: 'shop', restore: { name: 'r1', uid: restoreUid } }));
    }
    // the agents take the work and wait: the kubelet has not made the directories yet
    for (const volume of backedUp.keys()) await pollUntil(`r1-${volume} to wait`, async () => ((await phaseOf(PVR, `r1-${volume}`)) === 'InProgress' ? true : undefined));
    const dirs = { ...(await w.layout(web)), ...(await w.layout(db, { data: 'pv-restored-data' })) };
    for (const [volume, b] of backedUp) {
      const done = await finished<PodVolumeRestore>(PVR, `r1-${volume}`);
      t.is(done.status?.phase, 'Completed', `${volume}: ${done.status?.message}`);
      t.is(done.status?.node, pods[b.pod as keyof typeof pods].spec?.nodeName);
    }
    // each pod's restore-wait: its volumes under a /restores-like root; it removes the done files
    for (const [podName, pod] of Object.entries(pods)) {
      const root = path.join(work, `restores-${podName}`);
      await mkdir(root);
      for (const v of pod.spec?.volumes ?? []) await symlink(dirs[v.name]!, path.join(root, v.name));
      const r = await runSkiff(['restore-helper', restoreUid, '--root', root, '--timeout', '10s'], { POD_NAMESPACE: 'shop-restored', POD_NAME: podName });
      t.is(r.code, 0, r.stderr);
      t.regex(r.stdout, new RegExp(`all ${pod.spec?.volumes?.length} volume\\(s\\) restored`));
    }
    for (const [volume, b] of backedUp) t.deepEqual((await compareTrees(b.dir, dirs[volume]!)).diffs, [], `${volume} restored byte for byte, modes and times kept`);
    t.is((await runSkiff(['restore-helper', restoreUid, '--root', path.join(work, 'restores-web-1'), '--timeout', '1s'])).code, 1, 'the done files were removed');
  });

  test.serial('a PVB whose pod volume directory is missing fails with a clear message', async (t) => {
    const w = world();
    const pod = await w.createPod('shop', 'no-dirs', 'node-1', [{ name: 'v', emptyDir: {} }]);
    await w.client.create(PVB, podVolumeBackup({ name: 'b1-nodir', node: 'node-1', pod: ref(pod), volume: 'v' }));
    const done = await finished<PodVolumeBackup>(PVB, 'b1-nodir');
    t.is(done.status?.phase, 'Failed');
    t.regex(done.status?.message ?? '', new RegExp(`no volumes for pod ${pod.metadata.uid} under .* \\(is the pod running on this node`));
  });

  test.serial('a wrong repository password fails the PVB clearly and harms nothing; the right one works again, incrementally', async (t) => {
    const w = world();
    const web = await w.dynamic.resource({ group: '', version: 'v1', resource: 'pods' }, 'shop').get('web-1') as Pod;
    await w.setRepositoryPassword('not the password');
    await w.client.create(PVB, podVolumeBackup({ name: 'b2-wrong', node: 'node-1', pod: ref(web), volume: 'shared', identity: 'shop/StatefulSet/web/shared', backup: { name: 'b2', uid: 'b2-uid' } }));
    const wrong = await finished<PodVolumeBackup>(PVB, 'b2-wrong');
    t.is(wrong.status?.phase, 'Failed');
    t.regex(wrong.status?.message ?? '', /^wrong repository password for fsb\/shop in s3:.*\/skiff\/cluster-a\/fsb\/shop: the password in Secret skiff\/skiff-repo-credentials does not open it$/);
    t.notRegex(wrong.status?.message ?? '', /not the password|integration repository password/);
    await w.setRepositoryPassword(PASSWORD);
    await w.client.create(PVB, podVolumeBackup({ name: 'b3-right', node: 'node-1', pod: ref(web), volume: 'shared', identity: 'shop/StatefulSet/web/shared', backup: { name: 'b3', uid: 'b3-uid' } }));
    const right = await finished<PodVolumeBackup>(PVB, 'b3-right');
    t.is(right.status?.phase, 'Completed', right.status?.message);
    await withRepo('shop', async (repo) => {
      const sn = (await listSnapshots(repo)).find((s) => s.id === right.status?.snapshotID);
      t.is(sn?.snapshot.parent, backedUp.get('shared')?.snapshotID, 'the identity found the parent');
    });
    await ourCheck(t, 'shop');
  });

  test.serial('an agent killed mid-backup: on restart the PVB is Failed with the reason, and a new PVB completes past the dead lock', async (t) => {
    const w = world();
    const pod = await w.createPod('big', 'bulk-0', 'node-3', [{ name: 'bulk', emptyDir: {} }]);
    const dir = (await w.layout(pod))['bulk']!;
    for (let i = 0; i < 6; i++) await writeFile(path.join(dir, `part-${i}.bin`), randomBytes(16 * 1024 * 1024));
    const args = ['--node-name', 'node-3', '--host-pods-root', w.hostPods['node-3']!, '--namespace', SERVER_NS, '--kubeconfig', w.agentKubeconfig, '--progress-interval', '100ms', '--concurrency', '1'];
    const first = spawnAgent(args);
    children.push(first);
    await w.client.create(PVB, podVolumeBackup({ name: 'big-1', node: 'node-3', pod: ref(pod), volume: 'bulk' }));
    await pollUntil('big-1 to make progress', async () => {
      const o = await w.client.get<PodVolumeBackup>(PVB, 'big-1');
      return (o?.status?.progress?.bytesDone ?? 0) > 0 ? true : undefined;
    }, { intervalMs: 20, timeoutMs: 60_000, abortIf: () => (first.child.exitCode !== null ? `the agent exited: ${first.output()}` : undefined) });
    first.child.kill('SIGKILL');
    t.is((await first.exited).signal, 'SIGKILL');
    t.is(await phaseOf(PVB, 'big-1'), 'InProgress');
    const dead = await withRepo('big', (repo) => listLocks(repo));
    t.true(dead.some((l) => l.info.hostname === agentLeaseName('node-3')), 'the killed agent left its lock');

    const second = spawnAgent([...args, '--health-address', '127.0.0.1:0']);
    children.push(second);
    const failed = await finished<PodVolumeBackup>(PVB, 'big-1');
    t.is(failed.status?.phase, 'Failed');
    t.is(failed.status?.message, 'node agent restarted during the backup');
    await w.client.create(PVB, podVolumeBackup({ name: 'big-2', node: 'node-3', pod: ref(pod), volume: 'bulk' }));
    const ok = await finished<PodVolumeBackup>(PVB, 'big-2', 120_000);
    t.is(ok.status?.phase, 'Completed', ok.status?.message);
    t.deepEqual(await withRepo('big', (repo) => listLocks(repo)), [], 'the dead lock is gone and the new one released');
    t.regex(second.output(), /removed a lock left by an earlier run of this node agent/);
    const health = /"health":"(http:\/\/[^"]+)"/.exec(second.output())?.[1];
    t.is((await fetch(`${health}/readyz`)).status, 200, 'ready once its informers listed');
    second.child.kill('SIGTERM');
    t.is((await second.exited).code, 0, 'SIGTERM ends the agent cleanly');
    await ourCheck(t, 'big');
  });

  testWithRestic('restic 0.18 check --read-data is clean on every repository the agents wrote', '0.18', async (t, restic) => {
    const { s3 } = world();
    const renv = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };
    for (const ns of ['shop', 'big']) {
      const r = await restic.run(['-r', world().repoUrl(ns), '--no-lock', 'check', '--read-data'], { password: PASSWORD, env: renv });
      t.regex(r.stdout, /no errors were found/, ns);
    }
  });
}
