/**
 * Least-privilege RBAC for the server and the node agent. README.md explains each rule.
 * The server's ClusterRole reads everything (a full-cluster backup must) and may create,
 * update and patch anything (a restore of arbitrary resources must), but never delete outside
 * its own kinds in its own namespace. The node agent only reads pods, PVCs and PVs cluster-wide; the rest of
 * its access is a Role in the install namespace.
 */
import { NAMES, PART_OF, clusterRoleNames } from './options.ts';
import type { BindingManifest, Manifest, PolicyRule, RoleManifest } from './types.ts';

const RBAC = 'rbac.authorization.k8s.io/v1';
const SKIFF_GROUP = 'skiff.dev';
const READ = ['get', 'list', 'watch'];

function labels(component: string): Record<string, string> {
  return { ...PART_OF, 'app.kubernetes.io/name': 'skiff', 'app.kubernetes.io/component': component };
}

/** Cluster-wide rules of `skiff server`. */
export function serverClusterRules(): PolicyRule[] {
  return [
    // Backup: every resource of every group, including Secrets and CRDs, through discovery.
    { apiGroups: ['*'], resources: ['*'], verbs: READ },
    // Restore: objects of any kind are created, or patched with existingResourcePolicy=update.
    { apiGroups: ['*'], resources: ['*'], verbs: ['create', 'update', 'patch'] },
    // Restoring Roles/ClusterRoles/bindings that grant more than the server holds (delete, ...)
    // needs these two verbs; without them the API server refuses the restore as an escalation.
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'clusterroles'], verbs: ['bind', 'escalate'] },
  ];
}

/** Rules of `skiff server` in the install namespace: its own kinds in full, leader election, Secrets. */
export function serverNamespaceRules(): PolicyRule[] {
  return [
    { apiGroups: [SKIFF_GROUP], resources: ['*'], verbs: ['*'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: [...READ, 'create', 'update', 'patch', 'delete'] },
    { apiGroups: [''], resources: ['secrets'], verbs: READ },
  ];
}

/**
 * Cluster-wide rules of the node agent: it finds the pods whose volumes it reads or writes, and
 * follows a PVC volume to its PersistentVolume (CSI or in-tree decides the directory).
 */
export function nodeAgentClusterRules(): PolicyRule[] {
  return [
    { apiGroups: [''], resources: ['pods'], verbs: READ },
    { apiGroups: [''], resources: ['persistentvolumeclaims', 'persistentvolumes'], verbs: ['get'] },
  ];
}

/** Rules of the node agent in the install namespace. */
export function nodeAgentNamespaceRules(): PolicyRule[] {
  const work = ['podvolumebackups', 'podvolumerestores'];
  return [
    { apiGroups: [SKIFF_GROUP], resources: work, verbs: [...READ, 'update', 'patch'] },
    { apiGroups: [SKIFF_GROUP], resources: work.map((r) => `${r}/status`), verbs: ['get', 'update', 'patch'] },
    { apiGroups: [SKIFF_GROUP], resources: ['backuprepositories'], verbs: [...READ, 'create'] },
    { apiGroups: [SKIFF_GROUP], resources: ['backupstoragelocations'], verbs: READ },
    { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    // its liveness Lease `skiff-node-agent-<node>`, renewed every 10 s
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
  ];
}

export function serviceAccount(namespace: string, name: string, component: string): Manifest {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, labels: labels(component) } };
}

function role(kind: 'Role' | 'ClusterRole', name: string, namespace: string | undefined, component: string, rules: PolicyRule[]): RoleManifest {
  const metadata = { name, ...(namespace !== undefined ? { namespace } : {}), labels: labels(component) };
  return { apiVersion: RBAC, kind, metadata, rules };
}

function binding(
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  name: string,
  namespace: string,
  component: string,
  serviceAccountName: string,
): BindingManifest {
  const roleKind = kind === 'RoleBinding' ? 'Role' : 'ClusterRole';
  const metadata = { name, ...(kind === 'RoleBinding' ? { namespace } : {}), labels: labels(component) };
  return {
    apiVersion: RBAC,
    kind,
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccountName, namespace }],
  };
}

/** ServiceAccount `skiff`, its ClusterRole + binding and its Role + binding in the namespace. */
export function serverRbac(namespace: string): Manifest[] {
  const sa = NAMES.serverServiceAccount;
  const cluster = clusterRoleNames(namespace).server;
  return [
    serviceAccount(namespace, sa, 'server'),
    role('ClusterRole', cluster, undefined, 'server', serverClusterRules()),
    binding('ClusterRoleBinding', cluster, namespace, 'server', sa),
    role('Role', NAMES.serverRole, namespace, 'server', serverNamespaceRules()),
    binding('RoleBinding', NAMES.serverRole, namespace, 'server', sa),
  ];
}

/** ServiceAccount `skiff-node-agent` and its smaller ClusterRole and Role, with bindings. */
export function nodeAgentRbac(namespace: string): Manifest[] {
  const sa = NAMES.nodeAgentServiceAccount;
  const cluster = clusterRoleNames(namespace).nodeAgent;
  return [
    serviceAccount(namespace, sa, 'node-agent'),
    role('ClusterRole', cluster, undefined, 'node-agent', nodeAgentClusterRules()),
    binding('ClusterRoleBinding', cluster, namespace, 'node-agent', sa),
    role('Role', NAMES.nodeAgentRole, namespace, 'node-agent', nodeAgentNamespaceRules()),
    binding('RoleBinding', NAMES.nodeAgentRole, namespace, 'node-agent', sa),
  ];
}

