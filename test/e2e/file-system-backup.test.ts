/**
 * File-system backup of pod volumes end to end, every part a real process: `skiff install
 * --use-node-agent` on the real API server, `skiff server` and two `skiff node-agent`s (node-1,
 * node-2) as the service accounts install created, the embedded S3, and the CLI. No kubelet
 * exists: the test plays its part (lays out volume directories, marks pods Running).
 */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { cp as copyDir, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startControlPlane, createNode, createPodVolumeDirs, markPodRunning, pollUntil, type ControlPlane } from '../kube/index.ts';
import { kubeTestsEnabled } from '../kube/gate.ts';
import { kubectl } from '../kube/kubectl.ts';
import { installForTest } from '../../cli/cluster/testing/service-account.ts';
import { runSkiff } from '../../cli/cluster/testing/run-skiff.ts';
import { compareTrees } from '../../cli/demo/compare-trees.ts';
import { spawnAgent, type AgentProcess } from '../../node-agent/testing/agent-process.ts';
import { listSnapshots, openRepository } from '../../repository/index.ts';
import { S3Storage } from '../../repository/storage/s3-storage.ts';
import { startS3Server, type EmbeddedS3 } from '../support/s3-server.ts';
import { testWithRestic } from '../support/restic.ts';

const TITLE = 'pod volumes: backup on two nodes, restore into another namespace, incremental after a new pod';
const NODE = path.resolve('node_modules/.bin/node');
const CLI = path.resolve('cli/skiff.ts');
const enabled = kubeTestsEnabled(TITLE);

let cp: ControlPlane;
let s3: EmbeddedS3;
let server: ChildProcess | undefined;
let serverLog = '';
const agents: AgentProcess[] = [];
const hostPods: Record<string, string> = {};
let work: string;
let password = '';

type Pod = { metadata: { name: string; namespace: string; uid: string; ownerReferences?: unknown[] }; spec: { nodeName?: string; initContainers?: { name: string }[]; volumes?: { name: string }[] } };

const k = async (args: string[]) => {
  const r = await kubectl(cp.kubeconfigPath, args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const getPods = async (ns: string, selector?: string): Promise<Pod[]> =>
  (JSON.parse(await k(['get', 'pods', '-n', ns, '-o', 'json', ...(selector ? ['-l', selector] : [])])) as { items: Pod[] }).items;

/** What the PV controller would do (it is off here): mark the claim and its volume Bound. */
async function bindClaim(ns: string, claim: string, pv: string): Promise<void> {
  const { makeDynamicClient } = await import('../../controller/kube/index.ts');
  const dyn = makeDynamicClient(cp.kubeConfig());
  await dyn.resource({ group: '', version: 'v1', resource: 'persistentvolumeclaims' }, ns).patch(claim, { status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } }, { subresource: 'status' });
  await dyn.resource({ group: '', version: 'v1', resource: 'persistentvolumes' }).patch(pv, { status: { phase: 'Bound' } }, { subresource: 'status' });
}

async function fill(dir: string, seed: string): Promise<void> {
  await mkdir(path.join(dir, 'sub'), { recursive: true });
  await writeFile(path.join(dir, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, seed.charCodeAt(0)));
  for (let i = 0; i < 30; i++) await writeFile(path.join(dir, 'sub', `f${i}.txt`), `${seed} file ${i}\n`.repeat(10));
}

/** What the kubelet would do for a scheduled pod: volume directories (filled from `from` when given) and Running. */
async function startPod(pod: Pod, pvNames: Record<string, string>, from?: Record<string, string>): Promise<Record<string, string>> {
  const node = pod.spec.nodeName!;
  const dirs = await createPodVolumeDirs(hostPods[node]!, pod as never, { pvNames, pvTypes: Object.fromEntries(Object.keys(pvNames).map((v) => [v, 'nfs'])) });
  for (const [vol, dir] of Object.entries(dirs)) {
    if (from?.[vol]) await copyDir(from[vol], dir, { recursive: true, preserveTimestamps: true });
    else await fill(dir, `${pod.metadata.name}-${vol}`);
  }
  await markPodRunning(cp.kubeConfig(), pod.metadata.namespace, pod.metadata.name);
  return dirs;
}

const APP = (ns: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-data}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Delete
  nfs: {server: nfs.example, path: /exports/data}
  claimRef: {namespace: ${ns}, name: data}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: ${ns}}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, volumeName: pv-data, storageClassName: ""}
---
apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: ${ns}
  annotations: {backup.skiff.dev/backup-volumes: "cache,share"}
spec:
  nodeName: node-1
  automountServiceAccountToken: false
  containers:
  - name: api
    image: busybox
    volumeMounts: [{name: cache, mountPath: /cache}, {name: share, mountPath: /share}]
  volumes:
  - {name: cache, emptyDir: {}}
  - {name: share, nfs: {server: nfs.example, path: /exports/share}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {backup.skiff.dev/backup-volumes: "scratch,data"}
    spec:
      nodeName: node-2
      automountServiceAccountToken: false
      containers:
      - name: web
        image: nginx
        volumeMounts: [{name: scratch, mountPath: /scratch}, {name: data, mountPath: /data}]
      volumes:
      - {name: scratch, emptyDir: {}}
      - {name: data, persistentVolumeClaim: {claimName: data}}
`;

if (enabled) {
  test.before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'skiff-fsb-e2e-'));
    cp = await startControlPlane({ controllerManager: true, scheduler: true });
    s3 = await startS3Server({ buckets: ['backups'] });
    const creds = path.join(work, 'aws-credentials');
    await writeFile(creds, `[default]\naws_access_key_id=${s3.accessKeyId}\naws_secret_access_key=${s3.secretAccessKey}\n`);
    const inst = await installForTest(cp, ['--use-node-agent', '--bucket', 'backups', '--prefix', 'c1', '--s3-url', s3.endpoint, '--s3-force-path-style', '--region', s3.region, '--secret-file', creds]);
    const secret = JSON.parse(await k(['get', 'secret', '-n', 'skiff', 'skiff-repo-credentials', '-o', 'json'])) as { data: Record<string, string> };
    password = Buffer.from(secret.data['repository-password']!, 'base64').toString();
    server = spawn(NODE, [CLI, 'server', '--kubeconfig', inst.serverKubeconfig, '-n', 'skiff', '--metrics-address', 'off', '--health-address', 'off', '--restore-pod-schedule-timeout', '2m'], {
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'] },
    });
    server.stdout?.on('data', (d: Buffer) => (serverLog += d));
    server.stderr?.on('data', (d: Buffer) => (serverLog += d));
    for (const node of ['node-1', 'node-2']) {
      await createNode(cp.kubeConfig(), node);
      hostPods[node] = path.join(work, `${node}-pods`);
      await mkdir(hostPods[node]!);
      agents.push(spawnAgent(['--node-name', node, '--host-pods-root', hostPods[node]!, '--namespace', 'skiff', '--kubeconfig', inst.nodeAgentKubeconfig!]));
    }
  });
  test.after.always(async () => {
    server?.kill('SIGTERM');
    for (const a of agents) a.child.kill('SIGTERM');
    await s3?.stop();
    await cp?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  testWithRestic(TITLE, '0.18', async (t, restic) => {
    const admin = ['--kubeconfig', cp.kubeconfigPath];
    const diag = () => `\n--- server ---\n${serverLog.slice(-3000)}\n--- agents ---\n${agents.map((a) => a.output().slice(-2000)).join('\n')}`;
    await writeFile(path.join(work, 'app.yaml'), APP('shop'));
    await k(['apply', '-f', path.join(work, 'app.yaml')]);
    await bindClaim('shop', 'data', 'pv-data');
    const api = (await getPods('shop')).find((p) => p.metadata.name === 'api')!;
    const apiDirs = await startPod(api, {});
    const web1 = await pollUntil('the web pod is scheduled', async () => (await getPods('shop', 'app=web')).find((p) => p.spec.nodeName), { timeoutMs: 60_000 });
    const webDirs = await startPod(web1, { data: 'pv-data' });

    // backup 1: both nodes' agents back up their pods' volumes
    const b1 = await runSkiff(['backup', 'create', 'b1', '--include-namespaces', 'shop', '--wait', ...admin]);
    t.is(b1.code, 0, `${b1.stdout}${b1.stderr}${diag()}`);
    const pvbs = JSON.parse(await k(['get', 'podvolumebackups.skiff.dev', '-n', 'skiff', '-l', 'skiff.dev/backup-name=b1', '-o', 'json'])) as { items: { spec: { node: string; volume: string }; status: { phase: string; snapshotID: string } }[] };
    t.deepEqual(pvbs.items.map((p) => `${p.spec.node}:${p.spec.volume}:${p.status.phase}`).sort(), ['node-1:cache:Completed', 'node-1:share:Completed', 'node-2:data:Completed', 'node-2:scratch:Completed']);
    const url = `s3:${s3.endpoint}/backups/c1/fsb/shop`;
    const renv = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };
    t.regex((await restic.run(['-r', url, '--no-lock', 'check', '--read-data'], { password, env: renv })).stdout, /no errors were found/);

    // the Deployment's pod is re-created under a new name: its next backup is incremental
    await k(['delete', 'pod', '-n', 'shop', web1.metadata.name, '--grace-period=0', '--force']);
    const web2 = await pollUntil('a new web pod', async () => (await getPods('shop', 'app=web')).find((p) => p.metadata.name !== web1.metadata.name && p.spec.nodeName), { timeoutMs: 60_000 });
    await startPod(web2, { data: 'pv-data' }, webDirs);
    const b2 = await runSkiff(['backup', 'create', 'b2', '--include-namespaces', 'shop', '--wait', ...admin]);
    t.is(b2.code, 0, `${b2.stdout}${b2.stderr}${diag()}`);
    const repo = await openRepository(
      new S3Storage({ endpoint: s3.endpoint, bucket: 'backups', prefix: 'c1/fsb/shop', forcePathStyle: true, region: s3.region, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } }),
      password,
    );
    const snaps = await listSnapshots(repo);
    const latestScratch = snaps.filter((s) => (s.snapshot.tags ?? []).some((x) => x.startsWith('identity=') && x.endsWith('/scratch'))).at(-1)!;
    t.truthy(latestScratch.snapshot.parent, 'the new pod\'s snapshot has the old pod\'s as parent');
    t.true((latestScratch.snapshot.summary?.dataAdded ?? Infinity) < 16 * 1024, `new bytes: ${latestScratch.snapshot.summary?.dataAdded}`);

    // the namespace is lost; restore it as shop2: pods come back with restore-wait first, agents fill the volumes
    // no kubelet confirms pod termination here: force pods away while the namespace goes
    await k(['delete', 'namespace', 'shop', '--wait=false']);
    await pollUntil('namespace shop is gone', async () => {
      await kubectl(cp.kubeconfigPath, ['delete', 'pods', '--all', '-n', 'shop', '--grace-period=0', '--force']);
      return (await kubectl(cp.kubeconfigPath, ['get', 'namespace', 'shop'])).code !== 0 ? true : undefined;
    }, { timeoutMs: 120_000, intervalMs: 1000 });
    const restoring = runSkiff(['restore', 'create', 'r1', '--from-backup', 'b1', '--namespace-mappings', 'shop:shop2', '--wait', ...admin]);
    const restoredDirs: Record<string, Record<string, string>> = {};
    let provisioned = false;
    const kubelet = (async () => {
      for (let i = 0; i < 600 && Object.keys(restoredDirs).length < 2; i++) {
        // the storage provisioner: a fresh PV for the restored claim, which the restore left unbound
        const pvc = await kubectl(cp.kubeconfigPath, ['get', 'pvc', 'data', '-n', 'shop2', '-o', 'json']);
        if (!provisioned && pvc.code === 0 && !(JSON.parse(pvc.stdout) as { spec: { volumeName?: string } }).spec.volumeName) {
          provisioned = true;
          await writeFile(path.join(work, 'pv2.yaml'), `apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv-data2}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  nfs: {server: nfs.example, path: /exports/data2}\n  claimRef: {namespace: shop2, name: data}\n`);
          await k(['apply', '-f', path.join(work, 'pv2.yaml')]);
          // what the PV controller writes: the volume name and the bind-completed annotation the scheduler checks
          await k(['patch', 'pvc', 'data', '-n', 'shop2', '--type=merge', '-p', '{"metadata":{"annotations":{"pv.kubernetes.io/bind-completed":"yes"}},"spec":{"volumeName":"pv-data2"}}']);
          await bindClaim('shop2', 'data', 'pv-data2');
        }
        for (const p of await getPods('shop2').catch(() => [] as Pod[])) {
          if (!p.spec.nodeName || restoredDirs[p.metadata.name] || !p.spec.initContainers?.some((c) => c.name === 'restore-wait')) continue;
          restoredDirs[p.metadata.name] = await createPodVolumeDirs(hostPods[p.spec.nodeName]!, p as never, { pvNames: { data: 'pv-data2' }, pvTypes: { data: 'nfs' } });
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const r1 = await restoring;
    await kubelet;
    if (r1.code !== 0) {
      const d = await runSkiff(['restore', 'describe', 'r1', ...admin]);
      const pods = await kubectl(cp.kubeconfigPath, ['describe', 'pods', '-n', 'shop2']);
      t.fail(`${r1.stdout}${r1.stderr}\n${d.stdout}${d.stderr}\n${pods.stdout}${diag()}`);
      return;
    }
    const restoredApi = (await getPods('shop2')).find((p) => p.metadata.name === 'api')!;
    t.is(restoredApi.spec.initContainers?.[0]?.name, 'restore-wait');
    const uid = (JSON.parse(await k(['get', 'restores.skiff.dev', '-n', 'skiff', 'r1', '-o', 'json'])) as { metadata: { uid: string } }).metadata.uid;
    const dirs = restoredDirs['api']!;
    for (const vol of ['cache', 'share']) {
      await stat(path.join(dirs[vol]!, '.skiff', uid));
      t.deepEqual((await compareTrees(apiDirs[vol]!, dirs[vol]!, { ignore: ['.skiff'] })).diffs, [], `${vol} restored byte for byte`);
    }
    // the restore-wait container: sees every done file, removes them, exits 0
    const restores = path.join(work, 'restores');
    await mkdir(restores);
    for (const vol of ['cache', 'share']) await symlink(dirs[vol]!, path.join(restores, vol));
    const helper = await runSkiff(['restore-helper', uid, '--root', restores, '--timeout', '30s']);
    t.is(helper.code, 0, helper.stderr);
    t.deepEqual((await readdir(dirs['cache']!)).filter((n) => n === '.skiff'), []);
    t.truthy(webDirs);
  });
}
