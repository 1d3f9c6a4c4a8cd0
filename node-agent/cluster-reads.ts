/** ClusterReads over the API server: pods and PVCs by namespace and name, PVs by name (`get` only). */
import type { DynamicClient } from '../controller/kube/index.ts';
import type { KubeObject } from '../controller/runtime/index.ts';
import type { ClusterReads, PodObject, PvcObject, PvObject } from './volume-source.ts';

const core = (resource: string) => ({ group: '', version: 'v1', resource }) as const;

export function kubeClusterReads(dynamic: DynamicClient): ClusterReads {
  return {
    getPod: (ns, name) => dynamic.resource<KubeObject & PodObject>(core('pods'), ns).get(name),
    getPvc: (ns, name) => dynamic.resource<KubeObject & PvcObject>(core('persistentvolumeclaims'), ns).get(name),
    getPv: (name) => dynamic.resource<KubeObject & PvObject>(core('persistentvolumes')).get(name),
  };
}
