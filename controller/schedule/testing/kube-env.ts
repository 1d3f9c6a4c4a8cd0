/**
 * The real API server (test/kube) with Skiff's CRDs, a namespace, the embedded S3 server, a
 * credentials Secret and an Available default BackupStorageLocation pointing at it: what lifecycle
 * integration tests run against. The BSL's phase is written here, in place of the BSL controller.
 */
import { API_VERSION, type BackupStorageLocation, PLURALS } from '../../../crds/index.ts';
import { type EmbeddedS3, startS3Server } from '../../../test/support/s3-server.ts';
import { type ControlPlane, installCrds, startControlPlane } from '../../../test/kube/index.ts';
import { type KubeSkiffClient, makeDynamicClient, makeSkiffClient, readSecret } from '../../kube/index.ts';
import { ObjectStoreCache } from '../../objectstore/index.ts';
import type { ObjectStore } from '../../runtime/index.ts';

export interface LifecycleEnv {
  readonly cp: ControlPlane;
  readonly s3: EmbeddedS3;
  readonly client: KubeSkiffClient;
  readonly stores: ObjectStoreCache;
  /** the default location's store, for putting and inspecting objects */
  readonly store: ObjectStore;
  stop(): Promise<void>;
}

export const BSL_NAME = 'default';

export async function startLifecycleEnv(namespace: string): Promise<LifecycleEnv> {
  const [cp, s3] = await Promise.all([startControlPlane({ controllerManager: false }), startS3Server({ buckets: ['skiff'] })]);
  try {
    const kc = cp.kubeConfig();
    await installCrds(kc);
    const dynamic = makeDynamicClient(kc);
    await dynamic.resource({ group: '', version: 'v1', resource: 'namespaces' }).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const credentials = `[default]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`;
    await dynamic.resource({ group: '', version: 'v1', resource: 'secrets' }, namespace).create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'cloud-credentials' },
      data: { cloud: Buffer.from(credentials).toString('base64') },
    } as { apiVersion: string; kind: string; metadata: { name: string } });
    const client = makeSkiffClient(kc, namespace);
    const bsl: BackupStorageLocation = {
      apiVersion: API_VERSION,
      kind: 'BackupStorageLocation',
      metadata: { name: BSL_NAME },
      spec: {
        provider: 'aws',
        objectStorage: { bucket: 'skiff', prefix: 'cluster-a' },
        config: { region: s3.region, s3Url: s3.endpoint, s3ForcePathStyle: 'true' },
        credential: { name: 'cloud-credentials', key: 'cloud' },
        default: true,
      },
    };
    await client.create(PLURALS.BackupStorageLocation, bsl);
    await client.patchStatus(PLURALS.BackupStorageLocation, BSL_NAME, { phase: 'Available' });
    const stores = new ObjectStoreCache({ client, readSecret: (ns, name) => readSecret(client.dynamic, ns, name) });
    const store = await stores.get(BSL_NAME);
    return {
      cp,
      s3,
      client,
      stores,
      store,
      async stop() {
        await stores.close();
        await Promise.all([cp.stop(), s3.stop()]);
      },
    };
  } catch (err) {
    await Promise.all([cp.stop(), s3.stop()]);
    throw err;
  }
}

/** The keys under `prefix` in `store`, sorted. */
export async function keysUnder(store: ObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list(prefix)) out.push(o.key);
  return out.sort();
}
