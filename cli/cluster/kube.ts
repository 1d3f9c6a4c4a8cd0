/**
 * The CLI's ClusterClient over controller/kube (owner A's client: kubeconfig loading, RestClient,
 * DynamicClient, SkiffClient). Objects given by apiVersion/kind are mapped to resources through
 * discovery. Errors are KubeApiError (a SkiffError); none carries a Secret's contents.
 */
import type { KubeObject } from '../../controller/runtime/types.ts';
import {
  type ApiResourceInfo,
  type DynamicClient,
  type KubeConfig,
  type ResourceClient,
  isAlreadyExists,
  isNotFound,
  loadKubeConfig as loadConfig,
  makeDynamicClient,
  makeSkiffClient,
} from '../../controller/kube/index.ts';
import { SkiffError } from '../../repository/index.ts';
import type { ClusterClient, ClusterFlags, ObjectRef } from './client.ts';

const FIELD_MANAGER = 'skiff';

/** --kubeconfig, else $KUBECONFIG, else in-cluster, else ~/.kube/config; then --kubecontext. */
export function loadKubeConfig(flags: ClusterFlags, env: NodeJS.ProcessEnv): KubeConfig {
  return loadConfig({
    ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.kubecontext !== undefined ? { context: flags.kubecontext } : {}),
    env,
    ...(env['HOME'] !== undefined ? { home: env['HOME'] } : {}),
  }).kc;
}

/** Resource lookup by apiVersion + kind, cached per group/version once it is served. */
function resolver(dynamic: DynamicClient): (ref: ObjectRef) => Promise<ApiResourceInfo | undefined> {
  const cache = new Map<string, ApiResourceInfo[]>();
  return async (ref) => {
    let resources = cache.get(ref.apiVersion);
    if (resources === undefined) {
      resources = await dynamic.serverResourcesForGroupVersion(ref.apiVersion);
      if (resources === undefined) return undefined;
      cache.set(ref.apiVersion, resources);
    }
    return resources.find((r) => r.kind === ref.kind);
  };
}

function withHint(err: unknown): unknown {
  if (isNotFound(err) && err instanceof SkiffError && /could not find the requested resource/.test(err.message)) {
    return new SkiffError('NotFound', `${err.message} (is Skiff installed? see skiff install)`, { cause: err });
  }
  return err;
}

export function connectKube(flags: ClusterFlags, env: NodeJS.ProcessEnv): ClusterClient {
  const kc = loadKubeConfig(flags, env);
  const namespace = flags.namespace ?? env['SKIFF_NAMESPACE'] ?? 'skiff';
  const dynamic = makeDynamicClient(kc);
  const skiff = makeSkiffClient(dynamic, namespace);
  const find = resolver(dynamic);
  const describe = (r: ObjectRef) => `${r.kind} ${r.metadata.namespace !== undefined ? `${r.metadata.namespace}/` : ''}${r.metadata.name}`;

  /** The ResourceClient for `ref`, or undefined when the API server does not serve its kind. */
  const resourceFor = async (ref: ObjectRef): Promise<ResourceClient | undefined> => {
    const info = await find(ref);
    if (info === undefined) return undefined;
    const gvr = { group: info.group, version: info.version, resource: info.resource };
    return dynamic.resource(gvr, info.namespaced ? (ref.metadata.namespace ?? namespace) : undefined);
  };
  const served = async (ref: ObjectRef): Promise<ResourceClient> => {
    const rc = await resourceFor(ref);
    if (rc === undefined) throw new SkiffError('NotFound', `${describe(ref)}: the API server does not serve ${ref.apiVersion} ${ref.kind} (yet)`);
    return rc;
  };

  return {
    namespace,
    server: kc.getCurrentCluster()?.server ?? '(unknown)',
    get: (plural, name) => skiff.get(plural, name),
    list: <T extends KubeObject>(plural: string, opts?: { labelSelector?: string }) =>
      skiff.list<T>(plural, opts).catch((err: unknown) => {
        throw withHint(err);
      }),
    create: <T extends KubeObject>(plural: string, obj: T) =>
      skiff.create(plural, obj).catch((err: unknown) => {
        throw withHint(err);
      }),
    patch: (plural, name, patch) => skiff.patch(plural, name, patch),
    patchStatus: (plural, name, status) => skiff.patchStatus(plural, name, status),
    delete: async (plural, name) => {
      if (!(await skiff.resource(plural).delete(name, { propagationPolicy: 'Background' }))) {
        throw new SkiffError('NotFound', `${plural.replace(/s$/, '')} ${name} not found in namespace ${namespace}`);
      }
    },
    apply: async (obj) => {
      const rc = await served(obj);
      await rc.patch(obj.metadata.name, obj, { type: 'apply', fieldManager: FIELD_MANAGER, force: true });
    },
    createIfAbsent: async (obj) => {
      const rc = await served(obj);
      try {
        await rc.create(obj as KubeObject);
        return true;
      } catch (err) {
        if (isAlreadyExists(err)) return false;
        throw err;
      }
    },
    read: async <T extends object>(ref: ObjectRef) => {
      const rc = await resourceFor(ref);
      return rc === undefined ? undefined : ((await rc.get(ref.metadata.name)) as T | undefined);
    },
    remove: async (ref) => {
      const rc = await resourceFor(ref);
      return rc === undefined ? false : rc.delete(ref.metadata.name, { propagationPolicy: 'Background' });
    },
  };
}
