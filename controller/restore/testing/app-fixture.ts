// The integration tests' sample application in namespace `app`: a Deployment, two Services
// (ClusterIP and NodePort), a ConfigMap, a Secret, a ServiceAccount, a Role and RoleBinding, a
// PVC, and a custom resource with its CRD. `snapshotApp` reads them back from the API server
// the way a backup does (every object of the backed-up kinds in the namespace, as served), for
// writing a backup tarball.
import type { DynamicClient, GroupVersionResource } from '../../kube/index.ts';
import type { KubeObject } from '../../runtime/index.ts';
import { pollUntil } from '../../../test/kube/index.ts';
import type { JsonObject } from '../unstructured.ts';
import type { TestItem } from './tarball.ts';

export const GVR = {
  namespaces: { group: '', version: 'v1', resource: 'namespaces' },
  configmaps: { group: '', version: 'v1', resource: 'configmaps' },
  secrets: { group: '', version: 'v1', resource: 'secrets' },
  serviceaccounts: { group: '', version: 'v1', resource: 'serviceaccounts' },
  services: { group: '', version: 'v1', resource: 'services' },
  persistentvolumeclaims: { group: '', version: 'v1', resource: 'persistentvolumeclaims' },
  pods: { group: '', version: 'v1', resource: 'pods' },
  'deployments.apps': { group: 'apps', version: 'v1', resource: 'deployments' },
  'replicasets.apps': { group: 'apps', version: 'v1', resource: 'replicasets' },
  'roles.rbac.authorization.k8s.io': { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles' },
  'rolebindings.rbac.authorization.k8s.io': { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings' },
  'customresourcedefinitions.apiextensions.k8s.io': { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' },
  'widgets.example.com': { group: 'example.com', version: 'v1', resource: 'widgets' },
} as const satisfies Record<string, GroupVersionResource>;

export type FixtureResource = keyof typeof GVR;

const KINDS: Record<FixtureResource, string> = {
  namespaces: 'Namespace',
  configmaps: 'ConfigMap',
  secrets: 'Secret',
  serviceaccounts: 'ServiceAccount',
  services: 'Service',
  persistentvolumeclaims: 'PersistentVolumeClaim',
  pods: 'Pod',
  'deployments.apps': 'Deployment',
  'replicasets.apps': 'ReplicaSet',
  'roles.rbac.authorization.k8s.io': 'Role',
  'rolebindings.rbac.authorization.k8s.io': 'RoleBinding',
  'customresourcedefinitions.apiextensions.k8s.io': 'CustomResourceDefinition',
  'widgets.example.com': 'Widget',
};

const labels = { app: 'web' };

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } },
      },
    ],
  },
};

const NAMESPACED: [FixtureResource, JsonObject][] = [
  ['configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', labels }, data: { mode: 'fast' } }],
  ['secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', labels }, type: 'Opaque', stringData: { password: 'hunter2' } }],
  ['serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'runner', labels } }],
  ['roles.rbac.authorization.k8s.io', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] }],
  [
    'rolebindings.rbac.authorization.k8s.io',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'runner-reads' },
      subjects: [{ kind: 'ServiceAccount', name: 'runner', namespace: 'app' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    },
  ],
  ['services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', labels }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } }],
  ['services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-np' }, spec: { type: 'NodePort', selector: labels, ports: [{ port: 81 }] } }],
  [
    'persistentvolumeclaims',
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
  ],
  [
    'deployments.apps',
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
    },
  ],
  ['widgets.example.com', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', labels }, spec: { size: 3 } }],
];

async function established(dyn: DynamicClient): Promise<boolean> {
  const crd = await dyn.resource(GVR['customresourcedefinitions.apiextensions.k8s.io']).get('widgets.example.com');
  const conds = (crd as unknown as { status?: { conditions?: { type: string; status: string }[] } } | undefined)?.status?.conditions ?? [];
  if (!conds.some((c) => c.type === 'Established' && c.status === 'True')) return false;
  return (await dyn.serverResourcesForGroupVersion('example.com/v1'))?.some((r) => r.resource === 'widgets') === true;
}

/** Creates the application in namespace `app` and waits for the controllers' part (token, ReplicaSet, pod). */
export async function createApp(dyn: DynamicClient): Promise<void> {
  await dyn.resource(GVR['customresourcedefinitions.apiextensions.k8s.io']).create(CRD as unknown as KubeObject);
  await dyn.resource(GVR.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', labels: { team: 'blue' } } } as KubeObject);
  await pollUntil('the widgets CRD to be served', async () => ((await established(dyn)) ? true : undefined), { timeoutMs: 30_000 });
  for (const [gr, obj] of NAMESPACED) await dyn.resource(GVR[gr], 'app').create(obj as unknown as KubeObject);
  await pollUntil('a token, a ReplicaSet and a pod in app', async () => {
    const sas = (await dyn.resource(GVR.serviceaccounts, 'app').list()).items as unknown as { secrets?: unknown[] }[];
    const rs = (await dyn.resource(GVR['replicasets.apps'], 'app').list()).items;
    const pods = (await dyn.resource(GVR.pods, 'app').list()).items;
    return sas.length >= 2 && sas.every((s) => (s.secrets ?? []).length > 0) && rs.length > 0 && pods.length > 0 ? true : undefined;
  }, { timeoutMs: 30_000 });
}

/** Every object of the fixture's kinds in `app`, plus the namespace and the CRD, as items. */
export async function snapshotApp(dyn: DynamicClient): Promise<TestItem[]> {
  const items: TestItem[] = [];
  // list items come without apiVersion and kind; a backup records them, as here
  const add = (gr: FixtureResource, obj: KubeObject, namespace?: string) => {
    const gvr = GVR[gr];
    const apiVersion = gvr.group === '' ? gvr.version : `${gvr.group}/${gvr.version}`;
    const object = { ...(obj as unknown as JsonObject), apiVersion, kind: KINDS[gr] };
    items.push({ groupResource: gr, object, ...(namespace === undefined ? {} : { namespace }) });
  };
  add('namespaces', (await dyn.resource(GVR.namespaces).get('app')) as KubeObject);
  add('customresourcedefinitions.apiextensions.k8s.io', (await dyn.resource(GVR['customresourcedefinitions.apiextensions.k8s.io']).get('widgets.example.com')) as KubeObject);
  for (const gr of Object.keys(GVR) as FixtureResource[]) {
    if (gr === 'namespaces' || gr === 'customresourcedefinitions.apiextensions.k8s.io') continue;
    for (const obj of (await dyn.resource(GVR[gr], 'app').list()).items) add(gr, obj, 'app');
  }
  return items;
}

/** Deletes namespace `app` and the CRD and waits until both are gone. */
export async function deleteApp(dyn: DynamicClient): Promise<void> {
  await dyn.resource(GVR.namespaces).delete('app');
  await dyn.resource(GVR['customresourcedefinitions.apiextensions.k8s.io']).delete('widgets.example.com');
  await pollUntil('namespace app and the widgets CRD to be gone', async () => {
    const ns = await dyn.resource(GVR.namespaces).get('app');
    const crd = await dyn.resource(GVR['customresourcedefinitions.apiextensions.k8s.io']).get('widgets.example.com');
    return ns === undefined && crd === undefined ? true : undefined;
  }, { timeoutMs: 90_000 });
}
