import { ApiException, ApiextensionsV1Api, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { type CrdManifest, loadCrdManifests } from '../../crds/index.ts';
import { pollUntil } from './wait.ts';

/** Whether the API server reports condition Established=True for the CRD. */
export function isEstablished(crd: V1CustomResourceDefinition): boolean {
  return (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
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
      await api.createCustomResourceDefinition({ body: m as unknown as V1CustomResourceDefinition });
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
