import test from 'ava';
import { parse } from 'yaml';
import type { Backup, BackupStorageLocation, Restore, Schedule } from '../../crds/index.ts';
import { describeBackup } from './describe.ts';
import { backupRow } from './backup-get.ts';
import { timestampedName } from './backup-spec.ts';
import { formatLabelSelector, parseLabelSelector, parseOrSelectors } from './selector.ts';
import { runSkiff } from './testing/run-skiff.ts';

/** `-o json` on a create verb prints the object and sends nothing (the kubeconfig does not exist). */
async function printed<T>(args: string[]): Promise<T> {
  const r = await runSkiff([...args, '-o', 'json', '--kubeconfig', '/nonexistent/kubeconfig']);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

test('label selectors: equality, sets, existence, round trip', (t) => {
  const sel = parseLabelSelector('app=web, tier in (a, b),env!=prod,!legacy,team,app.kubernetes.io/name==x');
  t.deepEqual(sel, {
    matchLabels: { app: 'web', 'app.kubernetes.io/name': 'x' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['a', 'b'] },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
      { key: 'legacy', operator: 'DoesNotExist' },
      { key: 'team', operator: 'Exists' },
    ],
  });
  t.is(formatLabelSelector(sel), 'app=web,app.kubernetes.io/name=x,tier in (a,b),env notin (prod),!legacy,team');
  t.deepEqual(parseLabelSelector(formatLabelSelector(sel)), sel);
  t.deepEqual(parseOrSelectors('a=1 or b=2'), [{ matchLabels: { a: '1' } }, { matchLabels: { b: '2' } }]);
  for (const bad of ['', 'a=b,', 'in (x)', 'a=b c', '-x=1', 'a=' + 'v'.repeat(64)]) {
    t.throws(() => parseLabelSelector(bad), { message: /invalid label selector/ }, bad);
  }
});

test('backup create builds the Velero-shaped spec', async (t) => {
  const b = await printed<Backup>([
    'backup', 'create', 'b1', '--include-namespaces', 'app,web', '--include-namespaces', 'db', '--exclude-resources', 'events',
    '--include-cluster-resources=true', '-l', 'app=x', '--ttl', '72h', '--storage-location', 'aws1',
    '--default-volumes-to-fs-backup', '--labels', 'team=a,env=dev', '-n', 'ops',
  ]);
  t.deepEqual(b.metadata, { name: 'b1', namespace: 'ops', labels: { team: 'a', env: 'dev' } });
  t.deepEqual(b.spec, {
    includedNamespaces: ['app', 'web', 'db'],
    excludedResources: ['events'],
    includeClusterResources: true,
    labelSelector: { matchLabels: { app: 'x' } },
    ttl: '72h',
    storageLocation: 'aws1',
    defaultVolumesToFsBackup: true,
  });
});

test('create verbs refuse bad flags with one clear line', async (t) => {
  const cases: [string[], RegExp][] = [
    [['backup', 'create', 'b', '-l', 'a=1', '--or-selector', 'b=2'], /either --selector or --or-selector/],
    [['backup', 'create', 'b', '--ttl', '3 days'], /invalid duration/],
    [['backup', 'create', 'b', '--include-cluster-resources=maybe'], /true or false/],
    [['backup', 'create'], /name is required/],
    [['restore', 'create'], /exactly one of --from-backup and --from-schedule/],
    [['restore', 'create', '--from-backup', 'b', '--from-schedule', 's'], /exactly one/],
    [['restore', 'create', '--from-backup', 'b', '--namespace-mappings', 'a-b'], /source:target/],
    [['restore', 'create', '--from-backup', 'b', '--existing-resource-policy', 'replace'], /none, update/],
    [['schedule', 'create', 's'], /--schedule is required/],
    [['backup-location', 'create', 'l'], /--bucket is required/],
    [['backup-location', 'create', 'l', '--bucket', 'b', '--provider', 'gcp'], /not supported/],
    [['backup-location', 'create', 'l', '--bucket', 'b', '--access-mode', 'WriteOnly'], /ReadWrite, ReadOnly/],
  ];
  for (const [args, re] of cases) {
    const r = await runSkiff([...args, '-o', 'json', '--kubeconfig', '/nonexistent/kubeconfig']);
    t.is(r.code, 1, args.join(' '));
    t.regex(r.stderr, re, args.join(' '));
    t.is(r.stderr.trim().split('\n').length, 1, args.join(' '));
  }
});

test('restore create: mappings, policy, selectors, default name from the backup', async (t) => {
  const r = await printed<Restore>([
    'restore', 'create', '--from-backup', 'b1', '--namespace-mappings', 'app:app2,web:web2', '--existing-resource-policy', 'update',
    '--include-namespaces', 'app,web', '--selector', 'tier notin (cache)', '--include-resources', 'deployments.apps,configmaps',
    '--restore-volumes=false', '--preserve-nodeports',
  ]);
  t.regex(r.metadata.name ?? '', /^b1-\d{14}$/);
  t.deepEqual(r.spec, {
    backupName: 'b1',
    includedNamespaces: ['app', 'web'],
    includedResources: ['deployments.apps', 'configmaps'],
    namespaceMapping: { app: 'app2', web: 'web2' },
    existingResourcePolicy: 'update',
    labelSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['cache'] }] },
    restorePVs: false,
    preserveNodePorts: true,
  });
  const s = await printed<Restore>(['restore', 'create', 'r2', '--from-schedule', 'nightly']);
  t.deepEqual(s.spec, { scheduleName: 'nightly' });
});

test('schedule create: cron, template from the backup flags, paused, skip-immediately; yaml too', async (t) => {
  const s = await printed<Schedule>(['schedule', 'create', 'nightly', '--schedule', '0 1 * * *', '--include-namespaces', 'app', '--ttl', '168h', '--paused', '--skip-immediately', '--labels', 'tier=gold']);
  t.deepEqual(s.spec, {
    schedule: '0 1 * * *',
    template: { includedNamespaces: ['app'], ttl: '168h', metadata: { labels: { tier: 'gold' } } },
    paused: true,
    skipImmediately: true,
  });
  t.deepEqual(s.metadata.labels, { tier: 'gold' });
  const y = await runSkiff(['schedule', 'create', 'e', '--schedule', '@every 6h', '-o', 'yaml', '--kubeconfig', '/nonexistent/kubeconfig']);
  t.is((parse(y.stdout) as Schedule).spec.schedule, '@every 6h');
});

test('backup-location create: bucket, prefix, config map, credential, access mode', async (t) => {
  const l = await printed<BackupStorageLocation>([
    'backup-location', 'create', 'second', '--bucket', 'bk', '--prefix', 'p', '--config', 'region=us-east-1,s3Url=http://h:9000,s3ForcePathStyle=true',
    '--credential', 'creds2=cloud', '--access-mode', 'ReadOnly', '--default', '--validation-frequency', '1m',
  ]);
  t.deepEqual(l.spec, {
    provider: 'aws',
    objectStorage: { bucket: 'bk', prefix: 'p' },
    config: { region: 'us-east-1', s3Url: 'http://h:9000', s3ForcePathStyle: 'true' },
    credential: { name: 'creds2', key: 'cloud' },
    accessMode: 'ReadOnly',
    default: true,
    validationFrequency: '1m',
  });
});

test('backup table row and describe text', (t) => {
  const now = new Date('2024-05-01T12:00:00Z');
  const b: Backup = {
    apiVersion: 'skiff.dev/v1',
    kind: 'Backup',
    metadata: { name: 'b', namespace: 'skiff', creationTimestamp: '2024-05-01T11:00:00Z' },
    spec: { includedNamespaces: ['app'], storageLocation: 'default', labelSelector: { matchLabels: { a: 'b' } } },
    status: { phase: 'Completed', errors: 1, warnings: 2, expiration: '2024-05-31T12:00:00Z', progress: { totalItems: 10, itemsBackedUp: 10 } },
  };
  t.deepEqual(backupRow(b, now), ['b', 'Completed', '1', '2', '2024-05-01 11:00:00 +0000 UTC', '30d', 'default', 'a=b']);
  const text = describeBackup(b);
  t.regex(text, /Phase:\s+Completed/);
  t.regex(text, /Included:\s+app/);
  t.regex(text, /Items backed up:\s+10/);
  t.is(timestampedName('nightly', new Date('2024-05-01T01:02:03Z')), 'nightly-20240501010203');
});
