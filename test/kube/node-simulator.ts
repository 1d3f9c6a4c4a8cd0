import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CoreV1Api, type KubeConfig, PatchStrategy, type V1Node, type V1Pod, setHeaderOptions } from '@kubernetes/client-node';

// There is no kubelet in the test control plane: these functions write what a kubelet would.

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** RFC 3339 without fractional seconds, the way the API server prints times. */
function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface NodeOptions {
  /** InternalIP to report (default 127.0.0.1). */
  address?: string;
  labels?: Record<string, string>;
}

/** Creates Node `name`, Ready and schedulable, as a registered kubelet plus the node lifecycle controller would leave it. */
export async function createNode(kc: KubeConfig, name: string, opts: NodeOptions = {}): Promise<V1Node> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNode({
    body: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...opts.labels },
      },
    },
  });
  const t = now();
  const resources = { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  const status = {
    capacity: resources,
    allocatable: resources,
    addresses: [
      { type: 'InternalIP', address: opts.address ?? '127.0.0.1' },
      { type: 'Hostname', address: name },
    ],
    conditions: [
      { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated', lastHeartbeatTime: t, lastTransitionTime: t },
    ],
    nodeInfo: {
      machineID: name,
      systemUUID: name,
      bootID: name,
      kernelVersion: '6.1.0',
      osImage: 'simulated',
      containerRuntimeVersion: 'simulated://1.0',
      kubeletVersion: 'v1.20.2',
      kubeProxyVersion: 'v1.20.2',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
  await core.patchNodeStatus({ name, body: { status } }, mergePatch);
  // Admission (TaintNodesByCondition) gives new nodes a not-ready NoSchedule taint that the node
  // lifecycle controller, not run here, would lift once the node is Ready.
  return core.patchNode({ name, body: { spec: { taints: [] } } }, mergePatch);
}

/** Binds pod `ns/name` to `node` through the pods/binding subresource, as the scheduler would. */
export async function bindPod(kc: KubeConfig, ns: string, name: string, node: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedBinding({
    namespace: ns,
    body: { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
  });
}

export interface RunningOptions {
  /** Pod IP to report (default 10.244.0.<n> derived from the name). */
  podIP?: string;
  /** Whether containers report ready (default true). */
  ready?: boolean;
}

/**
 * Patches the status of pod `ns/name` (which should be bound to a node) to Running: init
 * containers terminated with exit code 0, every container running, conditions set.
 */
export async function markPodRunning(kc: KubeConfig, ns: string, name: string, opts: RunningOptions = {}): Promise<V1Pod> {
  const core = kc.makeApiClient(CoreV1Api);
  const pod = await core.readNamespacedPod({ name, namespace: ns });
  const t = now();
  const ready = opts.ready ?? true;
  const readyStr = ready ? 'True' : 'False';
  const hostIP = pod.status?.hostIP ?? '127.0.0.1';
  const podIP = opts.podIP ?? `10.244.0.${1 + ([...name].reduce((a, c) => a + c.charCodeAt(0), 0) % 250)}`;
  const status = {
    phase: 'Running',
    hostIP,
    podIP,
    podIPs: [{ ip: podIP }],
    startTime: t,
    conditions: [
      { type: 'Initialized', status: 'True', lastTransitionTime: t },
      { type: 'Ready', status: readyStr, lastTransitionTime: t },
      { type: 'ContainersReady', status: readyStr, lastTransitionTime: t },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
    ],
    initContainerStatuses: (pod.spec?.initContainers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      containerID: `simulated://${name}-${c.name}`,
      ready: true,
      restartCount: 0,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t } },
    })),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      containerID: `simulated://${name}-${c.name}`,
      ready,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: t } },
    })),
  };
  return core.patchNamespacedPodStatus({ name, namespace: ns, body: { status } }, mergePatch);
}

export interface PodVolumeDirOptions {
  /** PVC volumes: pod volume name → the bound PersistentVolume's name (required for each PVC volume) */
  pvNames?: Record<string, string>;
  /**
   * PVC volumes: pod volume name → the PV's volume plugin: `csi` (the default) or an in-tree type
   * such as `nfs` or `local-volume` (directory `kubernetes.io~<type>`)
   */
  pvTypes?: Record<string, string>;
}

/** The kubelet's escaped plugin directory of each in-tree pod volume kind. */
const POD_VOLUME_PLUGINS: Record<string, string> = {
  emptyDir: 'empty-dir',
  nfs: 'nfs',
  configMap: 'configmap',
  secret: 'secret',
  projected: 'projected',
  downwardAPI: 'downward-api',
  iscsi: 'iscsi',
  cephfs: 'cephfs',
  gitRepo: 'git-repo',
};

/**
 * Lays out a pod's volume directories under `hostPodsRoot` as the kubelet does:
 * `<root>/<podUID>/volumes/<plugin>/<dir>`, with `<plugin>` `kubernetes.io~empty-dir`,
 * `kubernetes.io~nfs`, ... and `<dir>` the volume name (`<name>/mount` for inline CSI); PVC
 * volumes use the PV's name (`kubernetes.io~csi/<pvName>/mount` for CSI PVs). hostPath volumes
 * get no directory (the kubelet mounts the host path directly). Returns volume name → directory.
 */
export async function createPodVolumeDirs(
  hostPodsRoot: string,
  pod: Pick<V1Pod, 'metadata' | 'spec'>,
  opts: PodVolumeDirOptions = {},
): Promise<Record<string, string>> {
  const uid = pod.metadata?.uid;
  if (uid === undefined || uid === '') throw new Error(`pod ${pod.metadata?.name ?? '?'} has no UID: create it in the API server first`);
  const base = path.join(hostPodsRoot, uid, 'volumes');
  const dirs: Record<string, string> = {};
  for (const v of pod.spec?.volumes ?? []) {
    let rel: string | undefined;
    if (v.persistentVolumeClaim !== undefined) {
      const pv = opts.pvNames?.[v.name];
      if (pv === undefined) throw new Error(`volume ${v.name} is a PVC: pass its PV's name in pvNames`);
      const type = opts.pvTypes?.[v.name] ?? 'csi';
      rel = type === 'csi' ? path.join('kubernetes.io~csi', pv, 'mount') : path.join(`kubernetes.io~${type}`, pv);
    } else if (v.csi !== undefined) {
      rel = path.join('kubernetes.io~csi', v.name, 'mount');
    } else if (v.hostPath === undefined) {
      const kind = Object.entries(v).find(([k, val]) => k !== 'name' && val !== undefined && val !== null)?.[0] ?? 'emptyDir';
      rel = path.join(`kubernetes.io~${POD_VOLUME_PLUGINS[kind] ?? kind.toLowerCase()}`, v.name);
    }
    if (rel === undefined) continue;
    const dir = path.join(base, rel);
    await mkdir(dir, { recursive: true });
    dirs[v.name] = dir;
  }
  return dirs;
}
