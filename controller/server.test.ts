import test from 'ava';
import type { BackupStorageLocation } from '../crds/index.ts';
import { type ControlPlane, installCrds, startControlPlane } from '../test/kube/index.ts';
import { kubeTestsEnabled } from '../test/kube/gate.ts';
import { type EmbeddedS3, startS3Server } from '../test/support/s3-server.ts';
import { type DynamicClient, makeDynamicClient, makeSkiffClient } from './kube/index.ts';
import { type Lease, memoryLogger } from './runtime/index.ts';
import type { KubeObject, Reconciler } from './runtime/types.ts';
import { runServer } from './server.ts';

let cp: ControlPlane | undefined;
let s3: EmbeddedS3 | undefined;
let dyn: DynamicClient | undefined;
const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' };
const SECRETS = { group: '', version: 'v1', resource: 'secrets' };
const LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };

function env(): { cp: ControlPlane; s3: EmbeddedS3; dyn: DynamicClient } {
  if (cp === undefined || s3 === undefined || dyn === undefined) throw new Error('not started');
  return { cp, s3, dyn };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function bsl(name: string, s3Url: string): BackupStorageLocation {
  return {
    apiVersion: 'skiff.dev/v1',
    kind: 'BackupStorageLocation',
    metadata: { name },
    spec: {
      provider: 'aws',
      objectStorage: { bucket: 'backups', prefix: name },
      config: { region: 'us-east-1', s3Url, s3ForcePathStyle: 'true' },
      credential: { name: 'cloud-credentials', key: 'cloud' },
      validationFrequency: '1m',
    },
  };
}

if (kubeTestsEnabled('controller server tests')) {
  test.before(async () => {
    [cp, s3] = await Promise.all([startControlPlane({ controllerManager: false }), startS3Server({ buckets: ['backups'] })]);
    await installCrds(cp.kubeConfig());
    dyn = makeDynamicClient(cp.kubeConfig());
    for (const name of ['skiff', 'le']) await dyn.resource(NAMESPACES).create({ metadata: { name } });
    const file = `[default]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`;
    await dyn.resource(SECRETS, 'skiff').create({ metadata: { name: 'cloud-credentials' }, data: { cloud: Buffer.from(file).toString('base64') } } as KubeObject);
  });
  test.after.always(async () => {
    const crash = cp?.crashReport();
    await Promise.all([cp?.stop(), s3?.stop()]);
    if (crash !== undefined) throw new Error(`control plane crashed: ${crash}`);
  });

  test('BSLs become Available or Unavailable with the reason; health, readiness and metrics are served', async (t) => {
    const { cp: c, s3: s, dyn: d } = env();
    const client = makeSkiffClient(d, 'skiff');
    await client.create('backupstoragelocations', bsl('default', s.endpoint));
    await client.create('backupstoragelocations', bsl('down', 'http://127.0.0.1:1'));
    const { log, entries } = memoryLogger();
    const server = await runServer({ kubeConfig: c.kubeConfig(), namespace: 'skiff', leaderElect: true, log, healthPort: 0, healthHost: '127.0.0.1', metricsPort: 0, metricsHost: '127.0.0.1', retryPeriodMs: 200 });
    try {
      const ok = await until('default Available', async () => {
        const b = await client.get<BackupStorageLocation>('backupstoragelocations', 'default');
        return b?.status?.phase === 'Available' ? b : undefined;
      });
      t.regex(ok.status?.lastValidationTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      t.is(ok.status?.message, undefined);
      const down = await until('down Unavailable', async () => {
        const b = await client.get<BackupStorageLocation>('backupstoragelocations', 'down');
        return b?.status?.phase === 'Unavailable' ? b : undefined;
      });
      t.is(down.status?.message, 'cannot reach http://127.0.0.1:1: ECONNREFUSED');

      t.true(server.isLeader());
      t.is((await fetch(`${server.healthUrl}/healthz`)).status, 200);
      await until('ready', async () => ((await fetch(`${server.healthUrl}/readyz`)).status === 200 ? true : undefined));
      const metrics = await (await fetch(`${server.metricsUrl}/metrics`)).text();
      t.regex(metrics, /skiff_reconcile_total\{controller="backupstoragelocations",result="requeue"\} [1-9]/);
      t.regex(metrics, /skiff_leader 1/);
      t.regex(metrics, /skiff_process_cpu_seconds_total/);
      t.true(entries.some((e) => e.msg === 'skiff server started' && e.fields['namespace'] === 'skiff'));
      const lease = await d.resource<Lease>(LEASES, 'skiff').get('skiff-server');
      t.is(lease?.spec?.holderIdentity, server.identity);
    } finally {
      await server.stop();
    }
    t.is((await d.resource<Lease>(LEASES, 'skiff').get('skiff-server'))?.spec?.holderIdentity, '', 'released on stop');
    t.false(server.ready());
  });

  test('leader election: of two servers only one reconciles; the other takes over when it stops', async (t) => {
    const { cp: c, dyn: d } = env();
    const client = makeSkiffClient(d, 'le');
    await client.create('schedules', { apiVersion: 'skiff.dev/v1', kind: 'Schedule', metadata: { name: 'nightly' }, spec: { schedule: '@every 1h', template: {} } } as KubeObject);
    const reconciledBy: string[] = [];
    const counting = (who: () => string): Reconciler => ({
      plural: 'schedules',
      async reconcile() {
        reconciledBy.push(who());
        return { requeueAfterMs: 100 };
      },
    });
    const start = async (name: string) => {
      const { log } = memoryLogger();
      let id = '';
      const server = await runServer({
        kubeConfig: c.kubeConfig(),
        namespace: 'le',
        leaderElect: true,
        log,
        identity: name,
        reconcilers: [counting(() => id)],
        healthPort: 0,
        healthHost: '127.0.0.1',
        leaseDurationMs: 2000,
        renewDeadlineMs: 1500,
        retryPeriodMs: 200,
      });
      id = server.identity;
      return server;
    };
    const a = await start('replica-a');
    const b = await start('replica-b');
    try {
      const leader = await until('a leader', () => (a.isLeader() ? a : b.isLeader() ? b : undefined));
      const standby = leader === a ? b : a;
      await until('reconciles by the leader', () => (reconciledBy.length >= 3 ? true : undefined));
      await new Promise((r) => setTimeout(r, 600));
      t.false(standby.isLeader());
      t.deepEqual([...new Set(reconciledBy)], [leader.identity], 'only the leader reconciles');
      t.is((await fetch(`${standby.healthUrl}/readyz`)).status, 200, 'a standby is ready');
      const lease = await d.resource<Lease>(LEASES, 'le').get('skiff-server');
      t.is(lease?.spec?.holderIdentity, leader.identity);
      const transitions = lease?.spec?.leaseTransitions ?? 0;

      const stoppedAt = Date.now();
      await leader.stop();
      reconciledBy.length = 0;
      await until('the standby takes over', () => (standby.isLeader() ? true : undefined), 5000);
      t.true(Date.now() - stoppedAt < 1500, 'a released lease is taken within a few retry periods, not after it expires');
      await until('reconciles by the new leader', () => (reconciledBy.length >= 2 ? true : undefined));
      t.deepEqual([...new Set(reconciledBy)], [standby.identity]);
      const after = await d.resource<Lease>(LEASES, 'le').get('skiff-server');
      t.is(after?.spec?.holderIdentity, standby.identity);
      t.is(after?.spec?.leaseTransitions, transitions + 1);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
}
