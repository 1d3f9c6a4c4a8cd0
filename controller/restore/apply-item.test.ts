import test from 'ava';
import { LABELS } from '../../crds/index.ts';
import { applyItem, mergeServiceAccount } from './apply-item.ts';
import type { ApiResource } from './cluster-writer.ts';
import { applyMergePatch, createMergePatch } from './merge-patch.ts';
import { FakeCluster } from './testing/fake-cluster.ts';
import type { JsonObject } from './unstructured.ts';

const restoreLabels = { [LABELS.backupName]: 'b', [LABELS.restoreName]: 'r' };

async function setup() {
  const c = new FakeCluster();
  const cm = (await c.findResource('', 'configmaps', 'v1')) as ApiResource;
  const ns = (await c.findResource('', 'namespaces', 'v1')) as ApiResource;
  c.seed(ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } });
  return { c, cm };
}

const desired = (data: JsonObject): JsonObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'app', labels: { ...restoreLabels } },
  data,
});

test('creates a missing object', async (t) => {
  const { c, cm } = await setup();
  const r = await applyItem(c, cm, 'configmaps', desired({ a: '1' }), 'none');
  t.is(r.result, 'created');
  t.deepEqual(c.lookup('', 'configmaps', 'app', 'settings')?.['data'], { a: '1' });
});

test('an identical existing object (other than restore labels and server fields) is unchanged', async (t) => {
  const { c, cm } = await setup();
  c.seed(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'app' }, data: { a: '1' } });
  const r = await applyItem(c, cm, 'configmaps', desired({ a: '1' }), 'none');
  t.is(r.result, 'unchanged');
});

test('policy none leaves a different object and warns', async (t) => {
  const { c, cm } = await setup();
  c.seed(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'app' }, data: { a: 'changed' } });
  const r = await applyItem(c, cm, 'configmaps', desired({ a: '1' }), 'none');
  t.is(r.result, 'skipped');
  t.regex(r.result === 'skipped' ? r.warning : '', /ConfigMap "app\/settings" already exists and differs/);
  t.deepEqual(c.lookup('', 'configmaps', 'app', 'settings')?.['data'], { a: 'changed' });
  t.false(c.calls.some((s) => s.startsWith('patch')));
});

test('policy update patches the object to match the backup, removing extra fields, with the live resourceVersion', async (t) => {
  const { c, cm } = await setup();
  c.seed(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'app', labels: { extra: 'x' } }, data: { a: 'changed', b: '2' } });
  const r = await applyItem(c, cm, 'configmaps', desired({ a: '1' }), 'update');
  t.is(r.result, 'updated');
  const live = c.lookup('', 'configmaps', 'app', 'settings');
  t.deepEqual(live?.['data'], { a: '1' });
  t.deepEqual((live?.['metadata'] as JsonObject)['labels'], restoreLabels);
  t.is((live?.['metadata'] as JsonObject)['uid'], 'uid-2', 'the same object, patched');
});

test('update retries when the object changes under it', async (t) => {
  const { c, cm } = await setup();
  c.seed(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'app' }, data: { a: 'changed' } });
  const realGet = c.get.bind(c);
  let first = true;
  c.get = async (res, ns, name) => {
    const obj = await realGet(res, ns, name);
    if (first && obj !== undefined) {
      first = false;
      (obj['metadata'] as JsonObject)['resourceVersion'] = 'stale';
    }
    return obj;
  };
  const r = await applyItem(c, cm, 'configmaps', desired({ a: '1' }), 'update');
  t.is(r.result, 'updated');
  t.is(c.calls.filter((s) => s.startsWith('patch')).length, 2);
});

test('values the cluster allocated do not count as differences', async (t) => {
  const { c } = await setup();
  const svc = (await c.findResource('', 'services', 'v1')) as ApiResource;
  c.seed(svc, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'app' },
    spec: { type: 'NodePort', clusterIP: '10.0.0.9', clusterIPs: ['10.0.0.9'], ports: [{ port: 80, protocol: 'TCP', nodePort: 30111 }] },
  });
  const want: JsonObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'app', labels: restoreLabels }, spec: { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP' }] } };
  t.is((await applyItem(c, svc, 'services', want, 'none')).result, 'unchanged');
  t.is((await applyItem(c, svc, 'services', want, 'update')).result, 'unchanged');
});

test('service accounts are merged whatever the policy', async (t) => {
  const { c } = await setup();
  const sa = (await c.findResource('', 'serviceaccounts', 'v1')) as ApiResource;
  c.seed(sa, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'app' }, secrets: [{ name: 'default-token-new' }] });
  const want: JsonObject = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'default', namespace: 'app', labels: restoreLabels },
    imagePullSecrets: [{ name: 'registry' }],
  };
  const r = await applyItem(c, sa, 'serviceaccounts', want, 'none');
  t.is(r.result, 'updated');
  const live = c.lookup('', 'serviceaccounts', 'app', 'default');
  t.deepEqual(live?.['secrets'], [{ name: 'default-token-new' }]);
  t.deepEqual(live?.['imagePullSecrets'], [{ name: 'registry' }]);
  t.is((await applyItem(c, sa, 'serviceaccounts', want, 'none')).result, 'unchanged');
});

test('mergeServiceAccount keeps live values and adds what is missing', (t) => {
  const merged = mergeServiceAccount(
    { metadata: { name: 'a', labels: { x: 'live' } }, secrets: [{ name: 's1' }] },
    { metadata: { name: 'a', labels: { x: 'backup', y: 'b' }, annotations: { n: '1' } }, secrets: [{ name: 's1' }, { name: 's2' }] },
  );
  t.deepEqual(merged, { metadata: { name: 'a', labels: { x: 'live', y: 'b' }, annotations: { n: '1' } }, secrets: [{ name: 's1' }, { name: 's2' }] });
});

test('merge patches round-trip', (t) => {
  const a: JsonObject = { a: 1, b: { c: [1, 2], d: 'x' }, e: 'gone' };
  const b: JsonObject = { a: 2, b: { c: [1], f: true }, g: { h: null } };
  const p = createMergePatch(a, b);
  t.deepEqual(p, { e: null, a: 2, b: { d: null, c: [1], f: true }, g: { h: null } });
  t.deepEqual(applyMergePatch(a, createMergePatch(a, { a: 1, b: { c: [1, 2] } })), { a: 1, b: { c: [1, 2] } });
  t.deepEqual(createMergePatch(a, structuredClone(a)), {});
});
