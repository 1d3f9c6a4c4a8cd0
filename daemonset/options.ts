/**
 * What `skiff install` is asked for, resolved: every value the manifests need, with no file
 * reading or randomness left to do. `resolveInstallOptions` fills in the defaults.
 */
import { randomBytes } from 'node:crypto';

/** Requests and limits of one container, in Kubernetes quantity strings. */
export interface ContainerResources {
  cpuRequest: string;
  memoryRequest: string;
  cpuLimit: string;
  memoryLimit: string;
}

/** The default BackupStorageLocation `default` (provider aws). */
export interface LocationOptions {
  bucket: string;
  prefix?: string;
  /** Provider settings: region, s3Url, s3ForcePathStyle, insecureSkipTLSVerify, ... (strings, as in the CRD). */
  config: Record<string, string>;
  /** PEM CA bundle for the store's TLS certificate. */
  caCert?: string;
}

export interface InstallOptions {
  namespace: string;
  /** Container image of the server and the node agent. */
  image: string;
  /** Skiff version, recorded in labels. */
  version: string;
  useNodeAgent: boolean;
  /** The kubelet's root directory on the nodes; pods' volumes are under `<root>/pods`. */
  kubeletRootDir: string;
  defaultVolumesToFsBackup: boolean;
  serverResources: ContainerResources;
  nodeAgentResources: ContainerResources;
  /** Contents of an AWS shared credentials file; stored in Secret `cloud-credentials`, key `cloud`. */
  cloudCredentials?: string;
  location?: LocationOptions;
  /** Password of every file-system-backup repository; never a fixed default. */
  repositoryPassword: string;
}

/** Fixed names: Velero's where the meaning is the same. */
export const NAMES = {
  serverServiceAccount: 'skiff',
  nodeAgentServiceAccount: 'skiff-node-agent',
  deployment: 'skiff',
  daemonSet: 'node-agent',
  credentialsSecret: 'cloud-credentials',
  credentialsKey: 'cloud',
  repositorySecret: 'skiff-repo-credentials',
  repositoryKey: 'repository-password',
  defaultLocation: 'default',
  /** Role and RoleBinding in the install namespace (both service accounts have one each). */
  serverRole: 'skiff-server',
  nodeAgentRole: 'skiff-node-agent',
} as const;

/** Cluster-scoped RBAC names carry the namespace, so two installs in two namespaces do not collide. */
export function clusterRoleNames(namespace: string): { server: string; nodeAgent: string } {
  return { server: `skiff-server-${namespace}`, nodeAgent: `skiff-node-agent-${namespace}` };
}

/** Ports of the server container; `skiff server` serves /metrics, /healthz and /readyz on them. */
export const PORTS = { metrics: 8085, health: 8086 } as const;

/** Label on every object install creates (the CRDs carry it too), for `kubectl get -l` and uninstall. */
export const PART_OF = { 'app.kubernetes.io/part-of': 'skiff' } as const;

export const DEFAULT_KUBELET_ROOT_DIR = '/var/lib/kubelet';

export const DEFAULT_SERVER_RESOURCES: ContainerResources = {
  cpuRequest: '500m',
  memoryRequest: '128Mi',
  cpuLimit: '1',
  memoryLimit: '512Mi',
};

export const DEFAULT_NODE_AGENT_RESOURCES: ContainerResources = {
  cpuRequest: '500m',
  memoryRequest: '512Mi',
  cpuLimit: '2',
  memoryLimit: '2Gi',
};

/** 32 random bytes, base64: the repository password when none is supplied. */
export function newRepositoryPassword(random: (n: number) => Buffer = randomBytes): string {
  return random(32).toString('base64');
}

export function defaultImage(version: string): string {
  return `skiff/skiff:${version}`;
}

/** Fills defaults; `repositoryPassword` is generated when absent (never a fixed value). */
export function resolveInstallOptions(o: Partial<InstallOptions> & { version: string }): InstallOptions {
  return {
    namespace: o.namespace ?? 'skiff',
    image: o.image ?? defaultImage(o.version),
    version: o.version,
    useNodeAgent: o.useNodeAgent ?? false,
    kubeletRootDir: o.kubeletRootDir ?? DEFAULT_KUBELET_ROOT_DIR,
    defaultVolumesToFsBackup: o.defaultVolumesToFsBackup ?? false,
    serverResources: o.serverResources ?? DEFAULT_SERVER_RESOURCES,
    nodeAgentResources: o.nodeAgentResources ?? DEFAULT_NODE_AGENT_RESOURCES,
    ...(o.cloudCredentials !== undefined ? { cloudCredentials: o.cloudCredentials } : {}),
    ...(o.location !== undefined ? { location: o.location } : {}),
    repositoryPassword: o.repositoryPassword ?? newRepositoryPassword(),
  };
}
