/**
 * The world of the node agent's integration test: the real API server with Skiff's CRDs, the
 * embedded S3, the server namespace `skiff` with the BSL `default`, its credentials Secret and
 * `skiff-repo-credentials`, the node agent's RBAC (daemonset/) and a kubeconfig of its service
 * account, three Ready nodes each with a temporary host pods directory, and helpers to create
 * pods (and bound PVC/PV pairs) whose volume directories are laid out as the kubelet would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { V1Pod, V1Volume } from '@kubernetes/client-node';
import { API_VERSION, PLURALS, type BackupStorageLocation } from '../../crds/index.ts';
import { NAMES, nodeAgentRbac } from '../../daemonset/index.ts';
import { type DynamicClient, type KubeSkiffClient, makeDynamicClient, makeSkiffClient } from '../../controller/kube/index.ts';
import type { KubeObject } from '../../controller/runtime/index.ts';
import { serviceAccountKubeconfig } from '../../cli/cluster/testing/service-account.ts';
import { type ControlPlane, createNode, createPodVolumeDirs, pollUntil, startControlPlane } from '../../test/kube/index.ts';
import { type EmbeddedS3, startS3Server } from '../../test/support/s3-server.ts';

export const SERVER_NS = 'skiff';
export const BUCKET = 'skiff';
export const PREFIX = 'cluster-a';
export const PASSWORD = 'integration repository password';
export const NODES = ['node-1', 'node-2', 'node-3'] as const;

const core = (resource: string) => ({ group: '', version: 'v1', resource }) as const;

export type Pod = V1Pod & { metadata: { uid: string; name: string; namespace: string } };

export interface AgentKubeEnv {
  readonly cp: ControlPlane;
  readonly s3: EmbeddedS3;
  readonly dynamic: DynamicClient;
  readonly client: KubeSkiffClient;
  /** kubeconfig file of service account skiff/skiff-node-agent */
  readonly agentKubeconfig: string;
  /** node → its host pods directory */
  readonly hostPods: Record<string, string>;
  /** `s3:<endpoint>/<bucket>/<prefix>/fsb/<ns>` */
  repoUrl(ns: string): string;
  createNamespace(name: string): Promise<void>;
  /** creates the pod, bound to `node` */
  createPod(ns: string, name: string, node: string, volumes: V1Volume[]): Promise<Pod>;
  /** lays out the pod's volume directories on its node as the kubelet would; returns volume → directory */
  layout(pod: Pod, pvNames?: Record<string, string>): Promise<Record<string, string>>;
  /** a CSI PersistentVolume and a PVC bound to it (status written by hand: no PV controller here) */
  createBoundClaim(ns: string, claim: string, pv: string): Promise<void>;
  setRepositoryPassword(password: string): Promise<void>;
  stop(): Promise<void>;
}

function bsl(s3: EmbeddedS3): BackupStorageLocation {
  return {
    apiVersion: API_VERSION,
    kind: 'BackupStorageLocation',
    metadata: { name: 'default' },
    spec: {
      provider: 'aws',
      objectStorage: { bucket: BUCKET, prefix: PREFIX },
      config: { region: s3.region, s3Url: s3.endpoint, s3ForcePathStyle: 'true' },
      credential: { name: 'cloud-credentials', key: 'cloud' },
      default: true,
    },
  };
}

const secret = (name: string, data: Record<string, string>): KubeObject & { data: Record<string, string> } => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

export async function startAgentKubeEnv(): Promise<AgentKubeEnv> {
  const [cp, s3] = await Promise.all([startControlPlane({ crds: true }), startS3Server({ buckets: [BUCKET] })]);
  const roots: string[] = [];
  try {
    const dynamic = makeDynamicClient(cp.kubeConfig());
    const client = makeSkiffClient(dynamic, SERVER_NS);
    const createNamespace = async (name: string): Promise<void> => {
      await dynamic.resource(core('namespaces')).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      await pollUntil(`service account ${name}/default`, async () => ((await dynamic.resource(core('serviceaccounts'), name).get('default')) ? true : undefined), { intervalMs: 100 });
    };
    await createNamespace(SERVER_NS);
    const credentials = `[default]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`;
    const secrets = dynamic.resource(core('secrets'), SERVER_NS);
    await secrets.create(secret('cloud-credentials', { cloud: credentials }));
    await secrets.create(secret(NAMES.repositorySecret, { [NAMES.repositoryKey]: PASSWORD }));
    await client.create(PLURALS.BackupStorageLocation, bsl(s3));
    for (const m of nodeAgentRbac(SERVER_NS)) {
      const [group = '', version = 'v1'] = m.apiVersion.includes('/') ? m.apiVersion.split('/') : ['', m.apiVersion];
      const ns = m.kind.startsWith('Cluster') ? undefined : SERVER_NS;
      await dynamic.resource({ group, version, resource: `${m.kind.toLowerCase()}s` }, ns).create(m as KubeObject);
    }
    const agentKubeconfig = await serviceAccountKubeconfig(cp, { namespace: SERVER_NS, serviceAccount: NAMES.nodeAgentServiceAccount });
    const hostPods: Record<string, string> = {};
    for (const node of NODES) {
      await createNode(cp.kubeConfig(), node);
      hostPods[node] = await mkdtemp(path.join(os.tmpdir(), `skiff-${node}-pods-`));
      roots.push(hostPods[node]);
    }
    return {
      cp,
      s3,
      dynamic,
      client,
      agentKubeconfig,
      hostPods,
      repoUrl: (ns) => `s3:${s3.endpoint}/${BUCKET}/${PREFIX}/fsb/${ns}`,
      createNamespace,
      async createPod(ns, name, node, volumes) {
        const body = { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, automountServiceAccountToken: false, containers: [{ name: 'app', image: 'busybox' }], volumes } };
        return (await dynamic.resource(core('pods'), ns).create(body as KubeObject)) as Pod;
      },
      layout: (pod, pvNames) => createPodVolumeDirs(hostPods[pod.spec?.nodeName ?? '']!, pod, pvNames === undefined ? {} : { pvNames }),
      async createBoundClaim(ns, claim, pv) {
        await dynamic.resource(core('persistentvolumes')).create({
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: { name: pv },
          spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], csi: { driver: 'csi.example.com', volumeHandle: pv }, claimRef: { namespace: ns, name: claim } },
        } as KubeObject);
        const pvcs = dynamic.resource(core('persistentvolumeclaims'), ns);
        await pvcs.create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claim }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: pv } } as KubeObject);
        await pvcs.patch(claim, { status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } }, { subresource: 'status' });
      },
      async setRepositoryPassword(password) {
        await secrets.patch(NAMES.repositorySecret, { data: { [NAMES.repositoryKey]: Buffer.from(password).toString('base64') } });
      },
      async stop() {
        await Promise.all([cp.stop(), s3.stop(), ...roots.map((r) => rm(r, { recursive: true, force: true }))]);
      },
    };
  } catch (err) {
    await Promise.all([cp.stop(), s3.stop(), ...roots.map((r) => rm(r, { recursive: true, force: true }))]);
    throw err;
  }
}
