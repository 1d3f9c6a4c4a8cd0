import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import type { BackupStorageLocation } from '../crds/index.ts';
import { makeDynamicClient, makeSkiffClient } from '../controller/kube/index.ts';
import type { KubeObject, Lease } from '../controller/runtime/index.ts';
import { type ControlPlane, installCrds, startControlPlane } from '../test/kube/index.ts';
import { kubeTestsEnabled } from '../test/kube/gate.ts';
import { type EmbeddedS3, startS3Server } from '../test/support/s3-server.ts';
import { main } from './main.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let cp: ControlPlane | undefined;
let s3: EmbeddedS3 | undefined;

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('skiff server rejects bad flags with a usage error', async (t) => {
  const err: string[] = [];
  const sink = { write: (s: string) => err.push(s) } as unknown as NodeJS.WritableStream;
  t.is(await main(['server', '--log-level', 'loud'], { stdout: sink, stderr: sink }), 2);
  t.regex(err.join(''), /option '--log-level <level>' argument 'loud' is invalid\. want one of trace, debug, info/);
  err.length = 0;
  t.is(await main(['server', '--metrics-address', 'nowhere'], { stdout: sink, stderr: sink }), 2);
  t.regex(err.join(''), /option '--metrics-address <host:port>' argument 'nowhere' is invalid\. invalid listen address nowhere/);
});

test('skiff server rejects bad file-system backup timeouts with a usage error', async (t) => {
  const err: string[] = [];
  const sink = { write: (s: string) => err.push(s) } as unknown as NodeJS.WritableStream;
  t.is(await main(['server', '--fs-backup-timeout', 'soon'], { stdout: sink, stderr: sink }), 2);
  t.regex(err.join(''), /option '--fs-backup-timeout <duration>' argument 'soon' is invalid\. invalid duration "soon"/);
  err.length = 0;
  t.is(await main(['server', '--restore-pod-schedule-timeout', '0s'], { stdout: sink, stderr: sink }), 2);
  t.regex(err.join(''), /argument '0s' is invalid\. want a positive duration/);
});

if (kubeTestsEnabled('skiff server command tests')) {
  test.before(async () => {
    [cp, s3] = await Promise.all([startControlPlane({ controllerManager: false }), startS3Server({ buckets: ['velero'] })]);
    const kc = cp.kubeConfig();
    await installCrds(kc);
    const dyn = makeDynamicClient(kc);
    await dyn.resource({ group: '', version: 'v1', resource: 'namespaces' }).create({ metadata: { name: 'skiff' } });
    const file = `[default]\naws_access_key_id=${s3.accessKeyId}\naws_secret_access_key=${s3.secretAccessKey}\n`;
    await dyn.resource({ group: '', version: 'v1', resource: 'secrets' }, 'skiff').create({ metadata: { name: 'cloud-credentials' }, data: { cloud: Buffer.from(file).toString('base64') } } as KubeObject);
  });
  test.after.always(async () => {
    await Promise.all([cp?.stop(), s3?.stop()]);
  });

  test('skiff server as a child process reconciles a BSL, logs JSON, and exits 0 on SIGTERM releasing its lease', async (t) => {
    if (cp === undefined || s3 === undefined) throw new Error('not started');
    const client = makeSkiffClient(cp.kubeConfig(), 'skiff');
    await client.create<BackupStorageLocation>('backupstoragelocations', {
      apiVersion: 'skiff.dev/v1',
      kind: 'BackupStorageLocation',
      metadata: { name: 'default' },
      spec: {
        provider: 'aws',
        default: true,
        objectStorage: { bucket: 'velero', prefix: 'cluster-a' },
        config: { region: 'us-east-1', s3Url: s3.endpoint, s3ForcePathStyle: 'true' },
        credential: { name: 'cloud-credentials', key: 'cloud' },
      },
    });
    const child = spawn(
      path.join(ROOT, 'node_modules/.bin/node'),
      ['cli/skiff.ts', 'server', '--kubeconfig', cp.kubeconfigPath, '--metrics-address', '127.0.0.1:0', '--health-address', '127.0.0.1:0'],
      { cwd: ROOT, env: { ...process.env, SKIFF_NAMESPACE: 'skiff', KUBECONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const ok = await until('the BSL Available', async () => {
        const b = await client.get<BackupStorageLocation>('backupstoragelocations', 'default');
        return b?.status?.phase === 'Available' ? b : undefined;
      });
      t.truthy(ok.status?.lastValidationTime);
      const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const started = lines.find((l) => l['msg'] === 'skiff server started');
      t.is(started?.['level'], 'info');
      t.is(started?.['namespace'], 'skiff', 'namespace from SKIFF_NAMESPACE');
      t.is(started?.['leaderElect'], true, 'leader election on by default');
      const health = String(started?.['health']);
      await until('ready', async () => ((await fetch(`${health}/readyz`)).status === 200 ? true : undefined));
      // the log line may reach stdout a moment after the status write the test saw
      const logged = await until('the BSL logged', async () => {
        const now = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
        return now.some((l) => l['msg'] === 'backup storage location is available' && l['controller'] === 'backupstoragelocations' && l['name'] === 'default') || undefined;
      });
      t.true(logged);
      t.false(stdout.includes(s3.secretAccessKey + '\n') || stdout.includes('aws_secret_access_key'), 'no credentials in the log');
    } finally {
      child.kill('SIGTERM');
    }
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 15_000))]);
    if (code === 'still running') child.kill('SIGKILL');
    t.is(code, 0, stderr);
    t.regex(stdout, /"msg":"skiff server stopped"/);
    const lease = await makeDynamicClient(cp.kubeConfig()).resource<Lease>({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases' }, 'skiff').get('skiff-server');
    t.is(lease?.spec?.holderIdentity, '', 'the lease was released on the way out');
  });
}
