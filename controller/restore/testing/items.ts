// Builders of backed-up items and contents for unit tests.
import type { BackupContents, BackupItem } from '../backup-contents.ts';
import type { JsonObject } from '../unstructured.ts';

const API_VERSIONS: Record<string, [string, string]> = {
  namespaces: ['v1', 'Namespace'],
  configmaps: ['v1', 'ConfigMap'],
  secrets: ['v1', 'Secret'],
  serviceaccounts: ['v1', 'ServiceAccount'],
  services: ['v1', 'Service'],
  pods: ['v1', 'Pod'],
  persistentvolumes: ['v1', 'PersistentVolume'],
  persistentvolumeclaims: ['v1', 'PersistentVolumeClaim'],
  nodes: ['v1', 'Node'],
  events: ['v1', 'Event'],
  'deployments.apps': ['apps/v1', 'Deployment'],
  'replicasets.apps': ['apps/v1', 'ReplicaSet'],
  'roles.rbac.authorization.k8s.io': ['rbac.authorization.k8s.io/v1', 'Role'],
  'rolebindings.rbac.authorization.k8s.io': ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
  'clusterroles.rbac.authorization.k8s.io': ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  'clusterrolebindings.rbac.authorization.k8s.io': ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
  'customresourcedefinitions.apiextensions.k8s.io': ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
  'storageclasses.storage.k8s.io': ['storage.k8s.io/v1', 'StorageClass'],
  'backups.skiff.dev': ['skiff.dev/v1', 'Backup'],
  'widgets.example.com': ['example.com/v1', 'Widget'],
  'gadgets.example.com': ['example.com/v1', 'Gadget'],
};

/** An item as read from a tarball; `extra` is merged into the object. */
export function item(groupResource: string, namespace: string | undefined, name: string, extra: JsonObject = {}): BackupItem {
  const [apiVersion, kind] = API_VERSIONS[groupResource] ?? ['v1', 'Thing'];
  const extraMeta = (extra['metadata'] ?? {}) as JsonObject;
  const metadata: JsonObject = { name, ...(namespace === undefined ? {} : { namespace }), ...extraMeta };
  return { groupResource, namespace, name, object: { apiVersion, kind, ...extra, metadata } };
}

export function crdItem(plural: string, group: string, kind: string, scope: 'Namespaced' | 'Cluster' = 'Namespaced'): BackupItem {
  return item('customresourcedefinitions.apiextensions.k8s.io', undefined, `${plural}.${group}`, {
    spec: {
      group,
      scope,
      names: { plural, kind, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  });
}

export function contentsOf(items: readonly BackupItem[]): BackupContents {
  const resources = new Map<string, BackupItem[]>();
  for (const it of items) resources.set(it.groupResource, [...(resources.get(it.groupResource) ?? []), it]);
  return { formatVersion: '1.1.0', resources, versions: new Map(), problems: [] };
}
