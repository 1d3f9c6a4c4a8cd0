// ClusterWriter over controller/kube's DynamicClient. Discovery answers are cached per
// group/version (including "not served"); refreshDiscovery forgets them.
import type { DynamicClient } from '../kube/index.ts';
import type { KubeObject } from '../runtime/types.ts';
import type { ApiResource, ClusterWriter } from './cluster-writer.ts';
import { namespaceOf, type JsonObject } from './unstructured.ts';

export function dynamicClusterWriter(dyn: DynamicClient): ClusterWriter {
  const cache = new Map<string, Promise<readonly ApiResource[] | undefined>>();

  const served = (group: string, version: string): Promise<readonly ApiResource[] | undefined> => {
    const gv = group === '' ? version : `${group}/${version}`;
    let p = cache.get(gv);
    if (p === undefined) {
      p = dyn.serverResourcesForGroupVersion(gv);
      p.catch(() => cache.delete(gv));
      cache.set(gv, p);
    }
    return p;
  };

  const client = (res: ApiResource, namespace: string | undefined) =>
    dyn.resource({ group: res.group, version: res.version, resource: res.resource }, res.namespaced ? namespace : undefined);

  return {
    async findResource(group, resource, version) {
      return (await served(group, version))?.find((r) => r.resource === resource);
    },
    refreshDiscovery() {
      cache.clear();
      return Promise.resolve();
    },
    async get(res, namespace, name) {
      return (await client(res, namespace).get(name)) as unknown as JsonObject | undefined;
    },
    async create(res, obj) {
      const created = await client(res, namespaceOf(obj)).create(obj as unknown as KubeObject);
      return created as unknown as JsonObject;
    },
    async mergePatch(res, namespace, name, patch) {
      return (await client(res, namespace).patch(name, patch, { type: 'merge' })) as unknown as JsonObject;
    },
  };
}

