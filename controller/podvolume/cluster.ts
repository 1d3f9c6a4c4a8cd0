/**
 * What file-system backup reads from the cluster (besides Skiff's own objects): pods, claims,
 * volumes, the owners of pods (for identities), and the agents' Leases. An interface so tests can
 * use fakes; `kubePodVolumeCluster` is the real thing over controller/kube's DynamicClient.
 */
import type { OwnerReference } from '../../crds/index.ts';
import type { DynamicClient } from '../kube/index.ts';
import type { KubeObject, Lease } from '../runtime/index.ts';
import { CORE, type PersistentVolume, type PersistentVolumeClaim, type Pod } from './core-types.ts';
import type { OwnerLookup } from './identity.ts';

export interface PodVolumeCluster {
  getPod(namespace: string, name: string): Promise<Pod | undefined>;
  listPods(namespace: string, labelSelector: string): Promise<Pod[]>;
  getPvc(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  getPv(name: string): Promise<PersistentVolume | undefined>;
  readonly ownersOf: OwnerLookup;
  /** a Lease in the server namespace */
  getLease(name: string): Promise<Lease | undefined>;
}

/** Kinds whose owners are looked up (see identity.ts), by kind and API group. */
const OWNER_RESOURCES: Readonly<Record<string, { group: string; version: string; resource: string }>> = {
  'apps/ReplicaSet': { group: 'apps', version: 'v1', resource: 'replicasets' },
  'batch/Job': { group: 'batch', version: 'v1', resource: 'jobs' },
};

export function kubePodVolumeCluster(dynamic: DynamicClient, serverNamespace: string): PodVolumeCluster {
  return {
    getPod: (ns, name) => dynamic.resource<Pod>(CORE.pods, ns).get(name),
    listPods: async (ns, labelSelector) => (await dynamic.resource<Pod>(CORE.pods, ns).list({ labelSelector })).items,
    getPvc: (ns, name) => dynamic.resource<PersistentVolumeClaim>(CORE.pvcs, ns).get(name),
    getPv: (name) => dynamic.resource<PersistentVolume>(CORE.pvs).get(name),
    ownersOf: async (ref: OwnerReference, ns: string) => {
      const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
      const gvr = OWNER_RESOURCES[`${group ?? ''}/${ref.kind}`];
      if (gvr === undefined) return undefined;
      const owner = await dynamic.resource<KubeObject>(gvr, ns).get(ref.name);
      return owner?.metadata.ownerReferences as OwnerReference[] | undefined;
    },
    getLease: (name) => dynamic.resource<Lease>(CORE.leases, serverNamespace).get(name),
  };
}
