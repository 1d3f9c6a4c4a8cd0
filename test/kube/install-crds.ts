import { ApiException, ApiextensionsV1Api, type KubeConfig, type V1CustomResourceDefinition, loadYaml } from '@kubernetes/client-node';
import { type CrdManifest, loadCrdManifests } from '../../crds/index.ts';
import { pollUntil } from './wait.ts';

/** Whether the API server reports condition Established=True for the CRD. */
export function isEstablished(crd: V1CustomResourceDefinition): boolean {
  return (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
}

/**
 * The manifest as client-node's model classes. Typed client-node calls serialize bodies through
 * their models and silently drop fields under their wire names where the model renames them
 * (`enum` is `_enum`, `x-kubernetes-*` are camelCased), so a plain object must be converted first.
 */
export function toModel(m: CrdManifest): V1CustomResourceDefinition {
  return loadYaml<V1CustomResourceDefinition>(JSON.stringify(m));
}

/**
 * Creates every Skiff CRD (those that already exist are left as they are) and waits until all
 * are Established, so custom objects can be created at once. Returns the manifests installed.
 */
export async function installCrds(kc: KubeConfig, opts: { timeoutMs?: number } = {}): Promise<CrdManifest[]> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const manifests = loadCrdManifests();
  for (const m of manifests) {
    try {
      await api.createCustomResourceDefinition({ body: toModel(m) });
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 409)) throw err;
    }
  }
  for (const m of manifests) {
    await pollUntil(
      `CRD ${m.metadata.name} to be Established`,
      async () => (isEstablished(await api.readCustomResourceDefinition({ name: m.metadata.name })) ? true : undefined),
      { timeoutMs: opts.timeoutMs ?? 30_000, intervalMs: 100 },
    );
  }
  return manifests;
}
