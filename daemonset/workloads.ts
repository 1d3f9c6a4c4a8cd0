/**
 * The server Deployment and the node-agent DaemonSet. Both run the same image; the server as
 * a non-root user with a read-only root file system, the node agent as uid 0 (it reads and
 * writes files owned by any user under the kubelet's pods directory) but not privileged.
 */
import { type ContainerResources, type InstallOptions, NAMES, PART_OF, PORTS } from './options.ts';
import type { Manifest } from './types.ts';

export interface WorkloadManifest extends Manifest {
  spec: Record<string, unknown>;
}

/** Where the node agent sees the kubelet's pods directory. */
export const HOST_PODS_MOUNT = '/host_pods';
const SCRATCH = '/scratch';

function resources(r: ContainerResources): object {
  return { requests: { cpu: r.cpuRequest, memory: r.memoryRequest }, limits: { cpu: r.cpuLimit, memory: r.memoryLimit } };
}

function fieldEnv(name: string, fieldPath: string): object {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

function selectorLabels(component: 'server' | 'node-agent'): Record<string, string> {
  return { 'app.kubernetes.io/name': 'skiff', 'app.kubernetes.io/component': component };
}

function podLabels(o: InstallOptions, component: 'server' | 'node-agent'): Record<string, string> {
  return { ...PART_OF, ...selectorLabels(component), 'app.kubernetes.io/version': o.version };
}

const scratchEnv = [
  { name: 'HOME', value: SCRATCH },
  { name: 'TMPDIR', value: SCRATCH },
];

/** Deployment `skiff`: one replica of `skiff server --namespace <ns>` (leader election makes more safe). */
export function serverDeployment(o: InstallOptions): WorkloadManifest {
  const labels = podLabels(o, 'server');
  const args = ['server', '--namespace', o.namespace, ...(o.defaultVolumesToFsBackup ? ['--default-volumes-to-fs-backup'] : [])];
  const probe = (path: string, initialDelaySeconds: number) => ({
    httpGet: { path, port: 'health' },
    initialDelaySeconds,
    periodSeconds: 10,
    timeoutSeconds: 5,
    failureThreshold: 3,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: NAMES.deployment, namespace: o.namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: selectorLabels('server') },
      template: {
        metadata: {
          labels,
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(PORTS.metrics), 'prometheus.io/path': '/metrics' },
        },
        spec: {
          serviceAccountName: NAMES.serverServiceAccount,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532 },
          containers: [
            {
              name: 'skiff',
              image: o.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['skiff'],
              args,
              ports: [
                { name: 'metrics', containerPort: PORTS.metrics, protocol: 'TCP' },
                { name: 'health', containerPort: PORTS.health, protocol: 'TCP' },
              ],
              env: [fieldEnv('POD_NAME', 'metadata.name'), fieldEnv('SKIFF_NAMESPACE', 'metadata.namespace'), { name: 'SKIFF_IMAGE', value: o.image }, ...scratchEnv],
              resources: resources(o.serverResources),
              livenessProbe: probe('/healthz', 10),
              readinessProbe: probe('/readyz', 5),
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'scratch', mountPath: SCRATCH }],
            },
          ],
          volumes: [{ name: 'scratch', emptyDir: {} }],
        },
      },
    },
  };
}

/**
 * DaemonSet `node-agent`: `skiff node-agent` on every node, with the kubelet's pods directory
 * (`<kubeletRootDir>/pods`) at /host_pods, propagation HostToContainer so volumes mounted after
 * the agent started are visible, and NODE_NAME from the downward API.
 */
export function nodeAgentDaemonSet(o: InstallOptions): WorkloadManifest {
  const labels = podLabels(o, 'node-agent');
  const hostPods = `${o.kubeletRootDir.replace(/\/+$/, '')}/pods`;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: NAMES.daemonSet, namespace: o.namespace, labels },
    spec: {
      selector: { matchLabels: selectorLabels('node-agent') },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: {
          labels,
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(PORTS.metrics), 'prometheus.io/path': '/metrics' },
        },
        spec: {
          serviceAccountName: NAMES.nodeAgentServiceAccount,
          securityContext: { runAsUser: 0 },
          containers: [
            {
              name: 'node-agent',
              image: o.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['skiff'],
              args: ['node-agent'],
              ports: [{ name: 'metrics', containerPort: PORTS.metrics, protocol: 'TCP' }],
              env: [
                fieldEnv('NODE_NAME', 'spec.nodeName'),
                fieldEnv('SKIFF_NAMESPACE', 'metadata.namespace'),
                { name: 'SKIFF_HOST_PODS', value: HOST_PODS_MOUNT },
                ...scratchEnv,
              ],
              resources: resources(o.nodeAgentResources),
              securityContext: { privileged: false, runAsUser: 0, allowPrivilegeEscalation: false },
              volumeMounts: [
                { name: 'host-pods', mountPath: HOST_PODS_MOUNT, mountPropagation: 'HostToContainer' },
                { name: 'scratch', mountPath: SCRATCH },
              ],
            },
          ],
          volumes: [
            { name: 'host-pods', hostPath: { path: hostPods, type: 'Directory' } },
            { name: 'scratch', emptyDir: {} },
          ],
        },
      },
    },
  };
}
