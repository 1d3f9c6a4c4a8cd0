import test from 'ava';
import { ANNOTATIONS, LABELS } from '../../crds/index.ts';
import type { ActionContext } from './item-actions.ts';
import { item } from './testing/items.ts';
import { labelValue, transformItem } from './transform.ts';
import type { JsonObject } from './unstructured.ts';

function ctx(over: Partial<ActionContext> = {}): ActionContext {
  return {
    backupName: 'b1',
    restoreName: 'r1',
    namespaceMapping: {},
    preserveNodePorts: false,
    restorePVs: true,
    pvRenames: new Map(),
    pvsToProvision: new Set(),
    ...over,
  };
}

function restored(it: ReturnType<typeof item>, c = ctx()): JsonObject {
  const t = transformItem(it, c);
  if (t.action !== 'restore') throw new Error(`skipped: ${t.reason}`);
  return t.object;
}

const serverMeta = {
  uid: 'u1',
  resourceVersion: '42',
  generation: 3,
  creationTimestamp: '2024-01-01T00:00:00Z',
  selfLink: '/api/v1/x',
  generateName: 'gen-',
  managedFields: [{ manager: 'kubectl' }],
  ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'u0' }],
  deletionGracePeriodSeconds: 30,
  labels: { app: 'web' },
  annotations: { note: 'kept' },
};

test('server-set metadata and status are stripped; restore labels added; the item is not mutated', (t) => {
  const it = item('configmaps', 'app', 'settings', { metadata: serverMeta, data: { a: '1' }, status: { x: 1 } });
  const before = structuredClone(it.object);
  const obj = restored(it);
  t.deepEqual(obj, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    data: { a: '1' },
    metadata: {
      name: 'settings',
      namespace: 'app',
      labels: { app: 'web', [LABELS.backupName]: 'b1', [LABELS.restoreName]: 'r1' },
      annotations: { note: 'kept' },
    },
  });
  t.deepEqual(it.object, before);
});

test('long names become valid label values', (t) => {
  const long = 'x'.repeat(80);
  t.is(labelValue(long).length, 63);
  t.true(labelValue(long).startsWith('x'.repeat(57)));
  t.not(labelValue(long), labelValue(`${long}y`));
  t.is(labelValue('short'), 'short');
});

test('namespace mapping: namespaced items, Namespace objects, RoleBinding and ClusterRoleBinding subjects', (t) => {
  const c = ctx({ namespaceMapping: { app: 'app2' } });
  t.is((restored(item('configmaps', 'app', 'c'), c)['metadata'] as JsonObject)['namespace'], 'app2');
  t.is((restored(item('configmaps', 'other', 'c'), c)['metadata'] as JsonObject)['namespace'], 'other');
  t.is((restored(item('namespaces', undefined, 'app'), c)['metadata'] as JsonObject)['name'], 'app2');
  const subjects = [
    { kind: 'ServiceAccount', name: 'runner', namespace: 'app' },
    { kind: 'ServiceAccount', name: 'x', namespace: 'kube-system' },
    { kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' },
  ];
  const expected = [{ kind: 'ServiceAccount', name: 'runner', namespace: 'app2' }, subjects[1], subjects[2]];
  const rb = restored(item('rolebindings.rbac.authorization.k8s.io', 'app', 'rb', { subjects, roleRef: { kind: 'Role', name: 'r' } }), c);
  t.deepEqual(rb['subjects'], expected);
  t.is((rb['metadata'] as JsonObject)['namespace'], 'app2');
  const crb = restored(item('clusterrolebindings.rbac.authorization.k8s.io', undefined, 'crb', { subjects }), c);
  t.deepEqual(crb['subjects'], expected);
  t.false('namespace' in (crb['metadata'] as JsonObject));
});

test('services: cluster IPs and auto-assigned node ports go, explicit ones stay', (t) => {
  const lastApplied = JSON.stringify({ spec: { ports: [{ port: 80, nodePort: 30080 }] } });
  const svc = item('services', 'app', 'web', {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } },
    spec: {
      type: 'NodePort',
      clusterIP: '10.0.0.5',
      clusterIPs: ['10.0.0.5'],
      ports: [
        { port: 80, protocol: 'TCP', nodePort: 30080 },
        { port: 443, protocol: 'TCP', nodePort: 31443 },
      ],
    },
  });
  const spec = restored(svc)['spec'] as JsonObject;
  t.false('clusterIP' in spec);
  t.false('clusterIPs' in spec);
  t.deepEqual(spec['ports'], [{ port: 80, protocol: 'TCP', nodePort: 30080 }, { port: 443, protocol: 'TCP' }]);
  const kept = restored(svc, ctx({ preserveNodePorts: true }))['spec'] as JsonObject;
  t.deepEqual(kept['ports'], [
    { port: 80, protocol: 'TCP', nodePort: 30080 },
    { port: 443, protocol: 'TCP', nodePort: 31443 },
  ]);
  const headless = restored(item('services', 'app', 'h', { spec: { clusterIP: 'None', clusterIPs: ['None'] } }))['spec'] as JsonObject;
  t.is(headless['clusterIP'], 'None');
});

test('node ports set by a manager in managedFields are kept', (t) => {
  const svc = item('services', 'app', 'web', {
    metadata: { managedFields: [{ manager: 'helm', fieldsV1: { 'f:spec': { 'f:ports': { 'k:{"port":8080,"protocol":"TCP"}': { 'f:nodePort': {} } } } } }] },
    spec: { type: 'NodePort', ports: [{ port: 8080, protocol: 'TCP', nodePort: 30001 }, { port: 9090, protocol: 'TCP', nodePort: 30002 }] },
  });
  t.deepEqual((restored(svc)['spec'] as JsonObject)['ports'], [{ port: 8080, protocol: 'TCP', nodePort: 30001 }, { port: 9090, protocol: 'TCP' }]);
});

test('pods: node, priority and old token volumes removed; completed and mirror pods skipped', (t) => {
  const pod = item('pods', 'app', 'p', {
    spec: {
      nodeName: 'node-1',
      priority: 1000,
      serviceAccountName: 'runner',
      volumes: [{ name: 'runner-token-abcde', secret: { secretName: 'runner-token-abcde' } }, { name: 'data', emptyDir: {} }],
      containers: [{ name: 'c', volumeMounts: [{ name: 'runner-token-abcde', mountPath: '/var/run/secrets' }, { name: 'data', mountPath: '/data' }] }],
    },
    status: { phase: 'Running' },
  });
  const spec = restored(pod)['spec'] as JsonObject;
  t.false('nodeName' in spec);
  t.false('priority' in spec);
  t.deepEqual(spec['volumes'], [{ name: 'data', emptyDir: {} }]);
  t.deepEqual((spec['containers'] as JsonObject[])[0]?.['volumeMounts'], [{ name: 'data', mountPath: '/data' }]);
  t.is(transformItem(item('pods', 'app', 'done', { status: { phase: 'Succeeded' } }), ctx()).action, 'skip');
  t.is(transformItem(item('pods', 'app', 'm', { metadata: { annotations: { 'kubernetes.io/config.mirror': 'x' } } }), ctx()).action, 'skip');
});

test('service accounts lose their token secrets; generated token secrets are skipped, hand-made ones reset', (t) => {
  const sa = restored(item('serviceaccounts', 'app', 'runner', { secrets: [{ name: 'runner-token-abcde' }, { name: 'registry' }] }));
  t.deepEqual(sa['secrets'], [{ name: 'registry' }]);
  const generated = item('secrets', 'app', 'runner-token-abcde', {
    type: 'kubernetes.io/service-account-token',
    metadata: { annotations: { 'kubernetes.io/service-account.name': 'runner', 'kubernetes.io/service-account.uid': 'u' } },
    data: { token: 'c2VjcmV0' },
  });
  t.is(transformItem(generated, ctx()).action, 'skip');
  const handMade = restored(
    item('secrets', 'app', 'ci-token', {
      type: 'kubernetes.io/service-account-token',
      metadata: { annotations: { 'kubernetes.io/service-account.name': 'runner', 'kubernetes.io/service-account.uid': 'u' } },
      data: { token: 'c2VjcmV0' },
    }),
  );
  t.false('data' in handMade);
  t.deepEqual((handMade['metadata'] as JsonObject)['annotations'], { 'kubernetes.io/service-account.name': 'runner' });
  const opaque = restored(item('secrets', 'app', 's', { type: 'Opaque', data: { k: 'dg==' } }));
  t.deepEqual(opaque['data'], { k: 'dg==' });
});

test('jobs: completed ones skipped; the generated selector and controller-uid labels dropped', (t) => {
  t.is(transformItem(item('jobs.batch', 'app', 'j', { status: { completionTime: '2024-01-01T00:00:00Z' } }), ctx()).action, 'skip');
  const job = restored(
    item('jobs.batch', 'app', 'j', {
      spec: { selector: { matchLabels: { 'controller-uid': 'u' } }, template: { metadata: { labels: { 'controller-uid': 'u', 'job-name': 'j' } } } },
    }),
  );
  const spec = job['spec'] as JsonObject;
  t.false('selector' in spec);
  t.deepEqual(((spec['template'] as JsonObject)['metadata'] as JsonObject)['labels'], { 'job-name': 'j' });
});

test('persistent volumes: Retain restored with a free claimRef in the mapped namespace; others and restorePVs=false skipped', (t) => {
  const pv = item('persistentvolumes', undefined, 'pv1', {
    spec: { persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'app', name: 'data', uid: 'u', resourceVersion: '9', kind: 'PersistentVolumeClaim' } },
    status: { phase: 'Bound' },
  });
  const c = ctx({ namespaceMapping: { app: 'app2' }, pvRenames: new Map([['pv1', 'skiff-clone-1']]) });
  const obj = restored(pv, c);
  t.deepEqual((obj['spec'] as JsonObject)['claimRef'], { namespace: 'app2', name: 'data', kind: 'PersistentVolumeClaim' });
  t.is((obj['metadata'] as JsonObject)['name'], 'skiff-clone-1');
  t.is(((obj['metadata'] as JsonObject)['annotations'] as JsonObject)[ANNOTATIONS.originalPvName], 'pv1');
  t.is(transformItem(pv, ctx({ restorePVs: false })).action, 'skip');
  t.is(transformItem(item('persistentvolumes', undefined, 'pv2', { spec: { persistentVolumeReclaimPolicy: 'Delete' } }), ctx()).action, 'skip');
});

test('claims: selected-node dropped; a claim whose volume is re-provisioned is reset; a renamed volume followed', (t) => {
  const pvc = (volumeName: string) =>
    item('persistentvolumeclaims', 'app', 'data', {
      metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'n1', 'pv.kubernetes.io/bind-completed': 'yes', keep: 'me' } },
      spec: { volumeName, resources: { requests: { storage: '1Gi' } } },
    });
  const reset = restored(pvc('pv-del'), ctx({ pvsToProvision: new Set(['pv-del']) }));
  t.false('volumeName' in (reset['spec'] as JsonObject));
  t.deepEqual((reset['metadata'] as JsonObject)['annotations'], { keep: 'me' });
  const kept = restored(pvc('pv-keep'));
  t.is((kept['spec'] as JsonObject)['volumeName'], 'pv-keep');
  t.deepEqual((kept['metadata'] as JsonObject)['annotations'], { 'pv.kubernetes.io/bind-completed': 'yes', keep: 'me' });
  const renamed = restored(pvc('pv1'), ctx({ pvRenames: new Map([['pv1', 'skiff-clone-1']]) }));
  t.is((renamed['spec'] as JsonObject)['volumeName'], 'skiff-clone-1');
});
