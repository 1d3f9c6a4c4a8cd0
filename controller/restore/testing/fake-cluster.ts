// An in-memory ClusterWriter for unit tests: a discovery table, objects keyed by resource,
// namespace and name, AlreadyExists and resourceVersion conflicts as SkiffError Conflict, and
// CRDs that become Established (and served) after `crdReadyAfterPolls` reads.
import { SkiffError } from '../../../repository/index.ts';
import type { ApiResource, ClusterWriter } from '../cluster-writer.ts';
import { applyMergePatch } from '../merge-patch.ts';
import { child, deepClone, metadataOf, nameOf, namespaceOf, str, type JsonObject } from '../unstructured.ts';

export const CORE_RESOURCES: readonly ApiResource[] = [
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'] },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'] },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true, shortNames: ['svc'] },
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, shortNames: ['po'] },
  { group: '', version: 'v1', resource: 'persistentvolumes', kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'] },
  { group: '', version: 'v1', resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true, shortNames: ['pvc'] },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true, shortNames: ['deploy'] },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', kind: 'Role', namespaced: true },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', kind: 'RoleBinding', namespaced: true },
  { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false, shortNames: ['crd'] },
];

export class FakeCluster implements ClusterWriter {
  readonly resources: ApiResource[] = [...CORE_RESOURCES];
  readonly objects = new Map<string, JsonObject>();
  /** `create <resource> <ns/name>` and `patch ...`, in call order */
  readonly calls: string[] = [];
  crdReadyAfterPolls = 1;
  /** create fails for these `<resource>/<name>` with a Permanent error */
  readonly failCreate = new Set<string>();
  private readonly crdPolls = new Map<string, number>();
  private rv = 1;

  private key(res: ApiResource, ns: string | undefined, name: string): string {
    return `${res.group}/${res.resource}/${res.namespaced ? (ns ?? '') : ''}/${name}`;
  }

  findResource(group: string, resource: string, version: string): Promise<ApiResource | undefined> {
    return Promise.resolve(this.resources.find((r) => r.group === group && r.resource === resource && r.version === version));
  }

  refreshDiscovery(): Promise<void> {
    return Promise.resolve();
  }

  /** Stores an object as if it had been there before the restore. */
  seed(res: ApiResource, obj: JsonObject): JsonObject {
    const stored = deepClone(obj);
    const m = metadataOf(stored);
    m['uid'] = `uid-${this.rv}`;
    m['resourceVersion'] = String(this.rv++);
    m['creationTimestamp'] = '2024-01-01T00:00:00Z';
    this.objects.set(this.key(res, namespaceOf(stored), nameOf(stored)), stored);
    return stored;
  }

  lookup(group: string, resource: string, ns: string | undefined, name: string): JsonObject | undefined {
    return this.objects.get(`${group}/${resource}/${ns ?? ''}/${name}`);
  }

  get(res: ApiResource, namespace: string | undefined, name: string): Promise<JsonObject | undefined> {
    const obj = this.objects.get(this.key(res, namespace, name));
    if (obj !== undefined && res.resource === 'customresourcedefinitions') this.pollCrd(obj);
    return Promise.resolve(obj === undefined ? undefined : deepClone(obj));
  }

  private pollCrd(crd: JsonObject): void {
    const n = (this.crdPolls.get(nameOf(crd)) ?? 0) + 1;
    this.crdPolls.set(nameOf(crd), n);
    if (n < this.crdReadyAfterPolls || crd['status'] !== undefined) return;
    crd['status'] = { conditions: [{ type: 'Established', status: 'True' }] };
    const spec = child(crd, 'spec');
    const names = child(spec, 'names');
    for (const v of (spec?.['versions'] as JsonObject[] | undefined) ?? []) {
      this.resources.push({
        group: str(spec, 'group') ?? '',
        version: str(v, 'name') ?? '',
        resource: str(names, 'plural') ?? '',
        kind: str(names, 'kind') ?? '',
        namespaced: str(spec, 'scope') === 'Namespaced',
      });
    }
  }

  create(res: ApiResource, obj: JsonObject): Promise<JsonObject> {
    const ns = namespaceOf(obj);
    this.calls.push(`create ${res.resource} ${ns === undefined ? '' : `${ns}/`}${nameOf(obj)}`);
    if (this.failCreate.has(`${res.resource}/${nameOf(obj)}`)) return Promise.reject(new SkiffError('Permanent', 'admission webhook denied the request'));
    if (res.namespaced && ns !== undefined && this.lookup('', 'namespaces', undefined, ns) === undefined) {
      return Promise.reject(new SkiffError('NotFound', `namespaces "${ns}" not found`));
    }
    if (this.objects.has(this.key(res, ns, nameOf(obj)))) return Promise.reject(new SkiffError('Conflict', `${res.resource} "${nameOf(obj)}" already exists`));
    return Promise.resolve(deepClone(this.seed(res, obj)));
  }

  mergePatch(res: ApiResource, namespace: string | undefined, name: string, patch: JsonObject): Promise<JsonObject> {
    this.calls.push(`patch ${res.resource} ${namespace === undefined ? '' : `${namespace}/`}${name}`);
    const key = this.key(res, namespace, name);
    const live = this.objects.get(key);
    if (live === undefined) return Promise.reject(new SkiffError('NotFound', `${res.resource} "${name}" not found`));
    const wantRv = str(child(patch, 'metadata'), 'resourceVersion');
    if (wantRv !== undefined && wantRv !== str(child(live, 'metadata'), 'resourceVersion')) {
      return Promise.reject(new SkiffError('Conflict', 'the object has been modified'));
    }
    const next = applyMergePatch(live, patch);
    metadataOf(next)['resourceVersion'] = String(this.rv++);
    this.objects.set(key, next);
    return Promise.resolve(deepClone(next));
  }
}
