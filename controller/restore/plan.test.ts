import test from 'ava';
import type { RestoreSpec } from '../../crds/index.ts';
import { planRestore } from './plan.ts';
import { orderResources, parseRestorePriorities } from './priorities.ts';
import { contentsOf, crdItem, item } from './testing/items.ts';

const spec = (s: Partial<RestoreSpec> = {}): RestoreSpec => ({ backupName: 'b', ...s });

function planned(s: RestoreSpec, items = everything()): string[] {
  const plan = planRestore(contentsOf(items), { spec: s, aliases: (gr) => (gr === 'deployments.apps' ? ['deploy'] : []) });
  return plan.resources.flatMap((r) => r.items.map((i) => `${r.groupResource}:${i.namespace === undefined ? '' : `${i.namespace}/`}${i.name}`));
}

function everything() {
  return [
    item('deployments.apps', 'app', 'web', { metadata: { labels: { tier: 'web' } } }),
    item('configmaps', 'app', 'settings', { metadata: { labels: { tier: 'db' } } }),
    item('configmaps', 'other', 'cfg'),
    item('namespaces', undefined, 'app'),
    item('namespaces', undefined, 'other'),
    item('persistentvolumeclaims', 'app', 'data'),
    item('persistentvolumes', undefined, 'pv-data', { spec: { claimRef: { namespace: 'app', name: 'data' } } }),
    item('persistentvolumes', undefined, 'pv-unrelated', { spec: { claimRef: { namespace: 'zzz', name: 'x' } } }),
    item('clusterroles.rbac.authorization.k8s.io', undefined, 'reader'),
    crdItem('widgets', 'example.com', 'Widget'),
    crdItem('gadgets', 'example.com', 'Gadget'),
    item('widgets.example.com', 'app', 'w1'),
    item('nodes', undefined, 'node-1'),
    item('events', 'app', 'e1'),
    item('backups.skiff.dev', 'skiff', 'b0'),
  ];
}

test("Velero's priorities first, then the rest alphabetically, then the low tail", (t) => {
  const order = orderResources(['widgets.example.com', 'services', 'pods', 'clusters.cluster.x-k8s.io', 'apps.kappctrl.k14s.io', 'deployments.apps', 'namespaces', 'customresourcedefinitions.apiextensions.k8s.io', 'configmaps', 'secrets', 'persistentvolumeclaims', 'persistentvolumes', 'serviceaccounts', 'roles.rbac.authorization.k8s.io', 'rolebindings.rbac.authorization.k8s.io', 'storageclasses.storage.k8s.io', 'cronjobs.batch']);
  t.deepEqual(order, [
    'customresourcedefinitions.apiextensions.k8s.io',
    'namespaces',
    'storageclasses.storage.k8s.io',
    'persistentvolumes',
    'persistentvolumeclaims',
    'roles.rbac.authorization.k8s.io',
    'serviceaccounts',
    'rolebindings.rbac.authorization.k8s.io',
    'secrets',
    'configmaps',
    'pods',
    'services',
    'cronjobs.batch',
    'deployments.apps',
    'widgets.example.com',
    'clusters.cluster.x-k8s.io',
    'apps.kappctrl.k14s.io',
  ]);
});

test('custom priorities in the server flag form', (t) => {
  const p = parseRestorePriorities('namespaces, configmaps,-,pods');
  t.deepEqual(p, { high: ['namespaces', 'configmaps'], low: ['pods'] });
  t.deepEqual(orderResources(['pods', 'secrets', 'configmaps', 'namespaces'], p), ['namespaces', 'configmaps', 'secrets', 'pods']);
  t.deepEqual(parseRestorePriorities('a,b'), { high: ['a', 'b'], low: [] });
});

test('everything restorable by default; nodes, events and Skiff kinds never', (t) => {
  const all = planned(spec());
  t.deepEqual(all, [
    'customresourcedefinitions.apiextensions.k8s.io:gadgets.example.com',
    'customresourcedefinitions.apiextensions.k8s.io:widgets.example.com',
    'namespaces:app',
    'namespaces:other',
    'persistentvolumes:pv-data',
    'persistentvolumes:pv-unrelated',
    'persistentvolumeclaims:app/data',
    'clusterroles.rbac.authorization.k8s.io:reader',
    'configmaps:app/settings',
    'configmaps:other/cfg',
    'deployments.apps:app/web',
    'widgets.example.com:app/w1',
  ]);
  t.deepEqual(planned(spec({ includedResources: ['nodes', 'events', 'backups.skiff.dev', 'configmaps'] })), ['configmaps:app/settings', 'configmaps:other/cfg']);
});

test('namespace filters take globs; cluster resources then come only as related items', (t) => {
  t.deepEqual(planned(spec({ includedNamespaces: ['a*'] })), [
    'customresourcedefinitions.apiextensions.k8s.io:widgets.example.com',
    'namespaces:app',
    'persistentvolumes:pv-data',
    'persistentvolumeclaims:app/data',
    'configmaps:app/settings',
    'deployments.apps:app/web',
    'widgets.example.com:app/w1',
  ]);
  t.deepEqual(planned(spec({ excludedNamespaces: ['ap?'], includeClusterResources: false })), ['namespaces:other', 'configmaps:other/cfg']);
  const withCluster = planned(spec({ includedNamespaces: ['other'], includeClusterResources: true }));
  t.true(withCluster.includes('clusterroles.rbac.authorization.k8s.io:reader'));
  t.true(withCluster.includes('persistentvolumes:pv-unrelated'));
  t.false(withCluster.includes('configmaps:app/settings'));
});

test('includeClusterResources false drops cluster-scoped items but keeps namespaces', (t) => {
  const p = planned(spec({ includeClusterResources: false }));
  t.false(p.some((s) => s.startsWith('customresourcedefinitions') || s.startsWith('persistentvolumes:') || s.startsWith('clusterroles')));
  t.true(p.includes('namespaces:app'));
});

test('resource filters answer to plural, group-qualified, kind and short names', (t) => {
  t.deepEqual(planned(spec({ includedResources: ['deploy'] })), ['deployments.apps:app/web']);
  t.deepEqual(planned(spec({ includedResources: ['Deployment'] })), ['deployments.apps:app/web']);
  t.deepEqual(planned(spec({ includedResources: ['deployments.apps', 'cm'] })), ['deployments.apps:app/web']);
  t.deepEqual(planned(spec({ includedResources: ['configmaps'], excludedNamespaces: ['other'] })), ['configmaps:app/settings']);
  const noCm = planned(spec({ excludedResources: ['configmaps', 'widgets.example.com'] }));
  t.false(noCm.some((s) => s.startsWith('configmaps') || s.startsWith('widgets')));
});

test('label selector and or-selectors', (t) => {
  const sel = planned(spec({ labelSelector: { matchLabels: { tier: 'web' } } }));
  t.true(sel.includes('deployments.apps:app/web'));
  t.false(sel.includes('configmaps:app/settings'));
  // the CRD of a selected custom resource still comes along; here none is selected
  t.false(sel.some((s) => s.startsWith('customresourcedefinitions')));
  const ors = planned(spec({ orLabelSelectors: [{ matchLabels: { tier: 'web' } }, { matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] }] }));
  t.true(ors.includes('deployments.apps:app/web'));
  t.true(ors.includes('configmaps:app/settings'));
  t.false(ors.includes('configmaps:other/cfg'));
});

test('plan records the namespace mapping of every namespace used', (t) => {
  const plan = planRestore(contentsOf(everything()), { spec: spec({ namespaceMapping: { app: 'app2' } }) });
  t.deepEqual([...plan.namespaces].sort(), [
    ['app', 'app2'],
    ['other', 'other'],
  ]);
  t.is(plan.totalItems, 12);
});
