/**
 * `ClusterReader` over controller/kube's DynamicClient: discovery at each group's preferred
 * version (a group whose discovery fails is reported in `failures` and left out) and paged lists.
 * Errors are controller/kube's KubeApiError (SkiffError codes).
 */
import type { DynamicClient } from '../kube/index.ts';
import type { KubeObject } from '../runtime/index.ts';
import { type ApiResource, type ClusterReader, type Discovery, type ListOptions, apiVersionOf } from './cluster-reader.ts';

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function dynamicClusterReader(dyn: DynamicClient, opts: { pageSize?: number } = {}): ClusterReader {
  const gvr = (r: ApiResource) => ({ group: r.group, version: r.version, resource: r.name });
  return {
    async discover(): Promise<Discovery> {
      const failures: { groupVersion: string; message: string }[] = [];
      const groups = await dyn.serverPreferredResources({ onGroupError: (groupVersion, err) => failures.push({ groupVersion, message: message(err) }) });
      const resources = groups.flatMap((g) =>
        g.resources.map((r) => ({
          group: r.group,
          version: r.version,
          name: r.resource,
          singularName: '',
          kind: r.kind,
          namespaced: r.namespaced,
          shortNames: r.shortNames,
          verbs: r.verbs,
        })),
      );
      return { resources, failures };
    },

    async *list(r: ApiResource, o: ListOptions = {}): AsyncIterable<KubeObject> {
      const client = dyn.resource(gvr(r), r.namespaced ? o.namespace : undefined);
      const it = client.iterate({
        limit: opts.pageSize ?? 500,
        ...(o.labelSelector === undefined || o.labelSelector === '' ? {} : { labelSelector: o.labelSelector }),
        ...(o.signal === undefined ? {} : { signal: o.signal }),
      });
      for await (const obj of it) yield { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(r), kind: obj.kind ?? r.kind };
    },

    get(r: ApiResource, name: string, namespace?: string): Promise<KubeObject | undefined> {
      return dyn.resource(gvr(r), r.namespaced ? namespace : undefined).get(name);
    },
  };
}
