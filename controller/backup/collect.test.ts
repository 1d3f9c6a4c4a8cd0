import test from 'ava';
import type { BackupSpec } from '../../crds/index.ts';
import { groupResource } from './cluster-reader.ts';
import { type CollectLog, collectResources } from './collect.ts';
import { FakeCluster, obj } from './testing/fakes.ts';

function cluster(): FakeCluster {
  return new FakeCluster({
    namespaces: ['app', 'app-2', 'app-old', 'other', 'skiff'].map((n) => obj(n, n === 'other' ? { labels: { tier: 'front' } } : {})),
    pods: [obj('web', { namespace: 'app', labels: { app: 'web' } }), obj('x', { namespace: 'app-2' }), obj('y', { namespace: 'other' })],
    persistentvolumeclaims: [
      obj('data', { namespace: 'app', extra: { spec: { volumeName: 'pv-1' } } }),
      obj('d2', { namespace: 'other', extra: { spec: { volumeName: 'pv-2' } } }),
    ],
    persistentvolumes: ['pv-1', 'pv-2', 'pv-3'].map((n) => obj(n)),
    configmaps: [
      obj('cfg', { namespace: 'app', labels: { tier: 'front' } }),
      obj('skip', { namespace: 'app', labels: { 'skiff.dev/exclude-from-backup': 'true' } }),
      { ...obj('dying', { namespace: 'app' }), metadata: { name: 'dying', namespace: 'app', deletionTimestamp: '2024-01-01T00:00:00Z' } },
      obj('cfg', { namespace: 'app-old' }),
    ],
    secrets: [obj('s', { namespace: 'app', labels: { tier: 'back' } })],
    'deployments.apps': [obj('web', { namespace: 'app', labels: { app: 'web' } })],
    events: [obj('e1', { namespace: 'app' })],
    'events.events.k8s.io': [obj('e1', { namespace: 'app' })],
    'ingresses.networking.k8s.io': [obj('ing', { namespace: 'app' })],
    'ingresses.extensions': [obj('ing', { namespace: 'app' })],
    'widgets.example.com': [obj('w1', { namespace: 'app' })],
    'gadgets.example.com': [obj('g1')],
    'customresourcedefinitions.apiextensions.k8s.io': ['widgets.example.com', 'gadgets.example.com', 'others.example.org'].map((n) => obj(n)),
    nodes: [obj('n1')],
    'storageclasses.storage.k8s.io': [obj('standard')],
    'backups.skiff.dev': [obj('b1', { namespace: 'skiff' })],
    'schedules.skiff.dev': [obj('daily', { namespace: 'skiff' })],
  });
}

interface Logged {
  log: CollectLog;
  warnings: string[];
  errors: string[];
}

function logger(): Logged {
  const l: Logged = { warnings: [], errors: [], log: { info() {}, warn: (m) => l.warnings.push(m), error: (m) => l.errors.push(m) } };
  return l;
}

async function collect(spec: BackupSpec, c = cluster(), l = logger()): Promise<string[]> {
  const out: string[] = [];
  for await (const i of collectResources(c, spec, l.log)) {
    if (i.object.apiVersion === undefined || i.object.kind === undefined) throw new Error('collected item without apiVersion/kind');
    out.push(`${groupResource({ group: i.group, name: i.resource })}:${i.namespace === undefined ? '' : `${i.namespace}/`}${i.name}`);
  }
  return out;
}

test('everything: all namespaces, cluster resources included, one copy of cohabitating kinds, no Skiff bookkeeping', async (t) => {
  const c = cluster();
  const items = await collect({}, c);
  t.deepEqual(items, [
    'pods:app/web',
    'pods:app-2/x',
    'pods:other/y',
    'persistentvolumeclaims:app/data',
    'persistentvolumeclaims:other/d2',
    'configmaps:app/cfg',
    'configmaps:app-old/cfg',
    'events:app/e1',
    'secrets:app/s',
    'deployments.apps:app/web',
    'widgets.example.com:app/w1',
    'ingresses.networking.k8s.io:app/ing',
    'schedules.skiff.dev:skiff/daily',
    'namespaces:app',
    'namespaces:app-2',
    'namespaces:app-old',
    'namespaces:other',
    'namespaces:skiff',
    'persistentvolumes:pv-1',
    'persistentvolumes:pv-2',
    'persistentvolumes:pv-3',
    'nodes:n1',
    'customresourcedefinitions.apiextensions.k8s.io:widgets.example.com',
    'customresourcedefinitions.apiextensions.k8s.io:gadgets.example.com',
    'customresourcedefinitions.apiextensions.k8s.io:others.example.org',
    'gadgets.example.com:g1',
    'storageclasses.storage.k8s.io:standard',
  ]);
  t.false(c.lists.some((l) => l.includes('@')), 'lists cluster-wide when every namespace is included');
  t.false(c.lists.includes('backups.skiff.dev'));
  t.false(c.lists.includes('events.events.k8s.io'));
  t.false(c.lists.includes('ingresses.extensions'));
});

test('namespace globs: per-namespace listing; null cluster resources pulls in only the CRDs and PVs needed', async (t) => {
  const c = cluster();
  const items = await collect({ includedNamespaces: ['app*'], excludedNamespaces: ['app-ol?'] }, c);
  t.deepEqual(items, [
    'pods:app/web',
    'pods:app-2/x',
    'persistentvolumeclaims:app/data',
    'configmaps:app/cfg',
    'events:app/e1',
    'secrets:app/s',
    'deployments.apps:app/web',
    'widgets.example.com:app/w1',
    'ingresses.networking.k8s.io:app/ing',
    'namespaces:app',
    'namespaces:app-2',
    'customresourcedefinitions.apiextensions.k8s.io:widgets.example.com',
    'persistentvolumes:pv-1',
  ]);
  t.true(c.lists.includes('pods@app') && c.lists.includes('pods@app-2'));
  t.false(c.lists.some((l) => l.endsWith('@app-old') || l.endsWith('@other')));
  t.false(c.lists.includes('nodes'), 'cluster-scoped kinds are not even listed');
});

test('includeClusterResources false keeps cluster-scoped items out (namespaces stay); true takes them all', async (t) => {
  const none = await collect({ includedNamespaces: ['app'], includeClusterResources: false });
  t.false(none.some((i) => i.startsWith('customresourcedefinitions') || i.startsWith('persistentvolumes:') || i.startsWith('nodes')));
  t.true(none.includes('namespaces:app'));
  const all = await collect({ includedNamespaces: ['app'], includeClusterResources: true });
  for (const i of ['nodes:n1', 'persistentvolumes:pv-3', 'gadgets.example.com:g1', 'storageclasses.storage.k8s.io:standard', 'customresourcedefinitions.apiextensions.k8s.io:others.example.org'])
    t.true(all.includes(i), i);
  t.is(all.filter((i) => i === 'persistentvolumes:pv-1').length, 1, 'a PV is backed up once');
  t.is(all.filter((i) => i.endsWith(':widgets.example.com')).length, 1, 'a CRD is backed up once');
  const none2 = await collect({ includeClusterResources: false });
  t.false(none2.some((i) => i.startsWith('nodes') || i.startsWith('persistentvolumes:')));
  t.true(none2.includes('namespaces:other'));
});

test('resource names: short names, kinds and resource.group; excluded CRDs are not pulled in', async (t) => {
  const l = logger();
  const items = await collect({ includedNamespaces: ['app'], includedResources: ['deploy', 'ConfigMap', 'widgets.example.com', 'nosuchthing'] }, cluster(), l);
  t.deepEqual(items, [
    'configmaps:app/cfg',
    'deployments.apps:app/web',
    'widgets.example.com:app/w1',
    'namespaces:app',
    'customresourcedefinitions.apiextensions.k8s.io:widgets.example.com',
  ]);
  t.deepEqual(l.warnings, ['resource "nosuchthing" is not served by the cluster; ignored']);
  const noCrd = await collect({ includedNamespaces: ['app'], excludedResources: ['crd', 'pvc', 'ns'] });
  t.false(noCrd.some((i) => i.startsWith('customresourcedefinitions') || i.startsWith('persistentvolume') || i.startsWith('namespaces')));
  t.true(noCrd.includes('widgets.example.com:app/w1'));
});

test('label selector and or-selectors; the namespace of selected items comes along', async (t) => {
  const one = await collect({ includedNamespaces: ['app', 'other'], labelSelector: { matchLabels: { app: 'web' } } });
  t.deepEqual(one, ['pods:app/web', 'deployments.apps:app/web', 'namespaces:app']);
  const or = await collect({ includedNamespaces: ['app', 'other'], orLabelSelectors: [{ matchLabels: { app: 'web' } }, { matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }] });
  t.deepEqual(or, ['pods:app/web', 'secrets:app/s', 'deployments.apps:app/web', 'namespaces:app']);
  const ns = await collect({ includedNamespaces: ['app', 'other'], labelSelector: { matchLabels: { tier: 'front' } } });
  t.deepEqual(ns, ['configmaps:app/cfg', 'namespaces:app', 'namespaces:other'], 'a labelled namespace is selected by itself');
});

test('a failed list is an error and collection goes on; discovery failures are warnings', async (t) => {
  const c = cluster();
  c.failing.add('secrets');
  (c.failures as { groupVersion: string; message: string }[]).push({ groupVersion: 'metrics.k8s.io/v1beta1', message: 'service unavailable' });
  const l = logger();
  const items = await collect({ includedNamespaces: ['app'] }, c, l);
  t.false(items.some((i) => i.startsWith('secrets')));
  t.true(items.includes('configmaps:app/cfg') && items.includes('deployments.apps:app/web'));
  t.deepEqual(l.errors, ['listing secrets in namespace app failed: GET secrets: forbidden']);
  t.deepEqual(l.warnings, ['discovery of metrics.k8s.io/v1beta1 failed, its resources are not backed up: service unavailable']);
});
