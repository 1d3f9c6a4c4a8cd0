/** The plain-object shapes the manifests are built from (no dependency on a Kubernetes client). */

export interface ManifestMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Any Kubernetes object, as it is written to YAML or sent to the API server. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: ManifestMeta;
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export interface RoleManifest extends Manifest {
  kind: 'Role' | 'ClusterRole';
  rules: PolicyRule[];
}

export interface BindingManifest extends Manifest {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  roleRef: { apiGroup: 'rbac.authorization.k8s.io'; kind: 'Role' | 'ClusterRole'; name: string };
  subjects: { kind: 'ServiceAccount'; name: string; namespace: string }[];
}

export interface SecretManifest extends Manifest {
  kind: 'Secret';
  type: string;
  /** base64 values */
  data: Record<string, string>;
}
