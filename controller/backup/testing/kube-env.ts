/**
 * The real API server (test/kube) with Skiff's CRDs, the server namespace, the embedded S3
 * server, a credentials Secret, a default BackupStorageLocation pointing at it and one pointing
 * at a closed port; plus the pieces of a ReconcileContext built from controller/kube and
 * controller/objectstore. For the backup integration test.
 */
import { API_VERSION, type BackupStorageLocation, PLURALS } from '../../../crds/index.ts';
import { type ControlPlane, installCrds, pollUntil, startControlPlane } from '../../../test/kube/index.ts';
import { type EmbeddedS3, startS3Server } from '../../../test/support/s3-server.ts';
import { type DynamicClient, type KubeSkiffClient, makeDynamicClient, makeSkiffClient, readSecret } from '../../kube/index.ts';
import { ObjectStoreCache } from '../../objectstore/index.ts';

export interface BackupEnv {
  readonly cp: ControlPlane;
  readonly s3: EmbeddedS3;
  readonly dynamic: DynamicClient;
  readonly client: KubeSkiffClient;
  readonly stores: ObjectStoreCache;
  stop(): Promise<void>;
}

export const WIDGETS_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } },
      },
    ],
  },
};

function bsl(name: string, s3Url: string, region: string, isDefault: boolean): BackupStorageLocation {
  return {
    apiVersion: API_VERSION,
    kind: 'BackupStorageLocation',
    metadata: { name },
    spec: {
      provider: 'aws',
      objectStorage: { bucket: 'skiff', prefix: 'cluster-a' },
      config: { region, s3Url, s3ForcePathStyle: 'true' },
      credential: { name: 'cloud-credentials', key: 'cloud' },
      default: isDefault,
    },
  };
}

export async function startBackupEnv(namespace: string, unreachableUrl: string): Promise<BackupEnv> {
  const [cp, s3] = await Promise.all([startControlPlane({ controllerManager: false }), startS3Server({ buckets: ['skiff'] })]);
  try {
    const kc = cp.kubeConfig();
    await installCrds(kc);
    const dynamic = makeDynamicClient(kc);
    const crds = dynamic.resource({ group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' });
    await crds.create(WIDGETS_CRD);
    await pollUntil('widgets.example.com to be served', async () => ((await dynamic.serverResourcesForGroupVersion('example.com/v1')) ? true : undefined), { timeoutMs: 30_000, intervalMs: 100 });
    await dynamic.resource({ group: '', version: 'v1', resource: 'namespaces' }).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const credentials = `[default]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`;
    await dynamic.resource({ group: '', version: 'v1', resource: 'secrets' }, namespace).create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'cloud-credentials' },
      data: { cloud: Buffer.from(credentials).toString('base64') },
    } as { apiVersion: string; kind: string; metadata: { name: string } });
    const client = makeSkiffClient(kc, namespace);
    await client.create(PLURALS.BackupStorageLocation, bsl('default', s3.endpoint, s3.region, true));
    await client.create(PLURALS.BackupStorageLocation, bsl('down', unreachableUrl, s3.region, false));
    const stores = new ObjectStoreCache({ client, readSecret: (ns, name) => readSecret(client.dynamic, ns, name) });
    return {
      cp,
      s3,
      dynamic,
      client,
      stores,
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
