import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import test from 'ava';
import {
  API_VERSION,
  type Backup,
  type BackupStorageLocation,
  CRD_YAML_DIR,
  type CrdManifest,
  GROUP,
  KINDS,
  PLURALS,
  VERSION,
  loadCrdManifests,
} from '../../crds/index.ts';
import { type ControlPlane, startControlPlane } from './control-plane.ts';
import { kubeTestsEnabled } from './gate.ts';
import { installCrds, isEstablished } from './install-crds.ts';
import { kubectl, kubectlPath } from './kubectl.ts';
import { httpsGet } from './wait.ts';

const NS = 'crd-test';

/** Any object of a Skiff kind, valid or not. */
type Raw = { apiVersion: string; kind: keyof typeof PLURALS; metadata: object; spec?: unknown; status?: unknown };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
let cp: ControlPlane | undefined;

function plane(): ControlPlane {
  if (cp === undefined) throw new Error('control plane not started');
  return cp;
}

function objects(): CustomObjectsApi {
  return plane().kubeConfig().makeApiClient(CustomObjectsApi);
}

async function create<T extends { kind: keyof typeof PLURALS }>(body: T): Promise<T> {
  return (await objects().createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURALS[body.kind], body })) as T;
}

/** The status code and message the API server refused `body` with. */
async function refusal(body: Raw): Promise<{ code: number; message: string }> {
  try {
    await create(body);
  } catch (err) {
    if (err instanceof ApiException) return { code: err.code, message: String(err.body) };
    throw err;
  }
  throw new Error(`the API server accepted ${JSON.stringify(body)}`);
}

function bsl(name: string, spec: Record<string, unknown>): BackupStorageLocation {
  const base = { provider: 'aws', objectStorage: { bucket: 'b', prefix: 'p' } };
  return { apiVersion: API_VERSION, kind: 'BackupStorageLocation', metadata: { name, namespace: NS }, spec: { ...base, ...spec } };
}

if (kubeTestsEnabled('kube CRD tests')) {
  test.before(async () => {
    cp = await startControlPlane({ controllerManager: false });
    const kc = cp.kubeConfig();
    await installCrds(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
  });
  test.after.always(async () => {
    await cp?.stop();
  });

  test('every CRD is accepted, Established, and stored with its whole schema', async (t) => {
    const api = plane().kubeConfig().makeApiClient(ApiextensionsV1Api);
    const manifests = loadCrdManifests();
    t.is(manifests.length, KINDS.length);
    for (const m of manifests) {
      const name = m.metadata.name;
      const crd = await api.readCustomResourceDefinition({ name });
      t.true(isEstablished(crd), name);
      const nonStructural = (crd.status?.conditions ?? []).find((c) => c.type === 'NonStructuralSchema');
      t.is(nonStructural, undefined, `${name}: ${nonStructural?.message ?? ''}`);
      // Raw JSON, not client-node models: nothing may be lost between the YAML and the server.
      const raw = await httpsGet(`${plane().server}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`, plane().caFile, plane().adminToken);
      const stored = JSON.parse(raw.body) as CrdManifest;
      t.deepEqual(stored.spec.versions, m.spec.versions, name);
      t.deepEqual(stored.spec.names, m.spec.names, name);
    }
  });

  test('a valid Backup and BackupStorageLocation are stored as sent; unknown fields are pruned', async (t) => {
    const backup: Backup = {
      apiVersion: API_VERSION,
      kind: 'Backup',
      metadata: { name: 'valid', namespace: NS, labels: { app: 'x' } },
      spec: {
        includedNamespaces: ['app-*'],
        excludedResources: ['events'],
        includeClusterResources: null,
        labelSelector: { matchLabels: { tier: 'db' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
        ttl: '720h0m0s',
        storageLocation: 'default',
        defaultVolumesToFsBackup: true,
        itemOperationTimeout: '4h',
        metadata: { labels: { team: 'a' } },
        hooks: { resources: [{ name: 'freeze', includedNamespaces: ['db'], pre: [{ exec: { command: ['fsfreeze', '-f', '/data'], onError: 'Fail', timeout: '30s' } }] }] },
      },
    };
    const stored = await create({ ...backup, spec: { ...backup.spec, bogusField: 1 } as Backup['spec'] });
    t.deepEqual(stored.spec, backup.spec);
    t.is(stored.status, undefined);
    const loc = bsl('default', {
      config: { region: 'us-east-1', s3Url: 'http://127.0.0.1:9000', s3ForcePathStyle: 'true', insecureSkipTLSVerify: 'false' },
      credential: { name: 'cloud-credentials', key: 'cloud' },
      accessMode: 'ReadWrite',
      default: true,
      backupSyncPeriod: '1m',
      validationFrequency: '1m',
    });
    t.deepEqual((await create(loc)).spec, loc.spec);
  });

  test('the API server refuses objects that break the schemas', async (t) => {
    const cases: Array<[string, Raw, string]> = [
      ['bad accessMode', bsl('bad-mode', { accessMode: 'Bogus' }), 'spec.accessMode'],
      ['no bucket', bsl('no-bucket', { objectStorage: { prefix: 'p' } }), 'spec.objectStorage.bucket'],
      ['config not strings', bsl('bad-config', { config: { s3ForcePathStyle: true } }), 'spec.config'],
      ['namespaces not a list', { apiVersion: API_VERSION, kind: 'Backup', metadata: { name: 'bad-ns' }, spec: { includedNamespaces: 'ns1' } }, 'spec.includedNamespaces'],
      ['hook with no command', { apiVersion: API_VERSION, kind: 'Backup', metadata: { name: 'bad-hook' }, spec: { hooks: { resources: [{ name: 'h', pre: [{ exec: { command: [] } }] }] } } }, 'command'],
      ['bad download kind', { apiVersion: API_VERSION, kind: 'DownloadRequest', metadata: { name: 'bad-kind' }, spec: { target: { kind: 'Bogus', name: 'b' } } }, 'spec.target.kind'],
      ['bad restore policy', { apiVersion: API_VERSION, kind: 'Restore', metadata: { name: 'bad-policy' }, spec: { backupName: 'b', existingResourcePolicy: 'replace' } }, 'spec.existingResourcePolicy'],
      ['schedule without template', { apiVersion: API_VERSION, kind: 'Schedule', metadata: { name: 'bad-sched' }, spec: { schedule: '@every 1h' } }, 'spec.template'],
      ['pvb without node', { apiVersion: API_VERSION, kind: 'PodVolumeBackup', metadata: { name: 'bad-pvb' }, spec: { pod: { namespace: 'a', name: 'p' }, volume: 'v', backupStorageLocation: 'default', repoIdentifier: 'r' } }, 'spec.node'],
    ];
    for (const [what, body, field] of cases) {
      const r = await refusal(body);
      t.is(r.code, 422, what);
      t.true(r.message.includes(field), `${what}: ${r.message}`);
    }
  });

  test('status is a subresource: ignored on create and spec updates, written through /status', async (t) => {
    const api = objects();
    const ref = { group: GROUP, version: VERSION, namespace: NS, plural: PLURALS.Backup, name: 'status-test' };
    const created = await create<Backup>({ apiVersion: API_VERSION, kind: 'Backup', metadata: { name: ref.name }, spec: {}, status: { phase: 'Completed' } });
    t.is(created.status, undefined);
    await api.patchNamespacedCustomObject({ ...ref, body: { spec: { ttl: '1h' }, status: { phase: 'Failed' } } }, mergePatch);
    let got = (await api.getNamespacedCustomObject(ref)) as Backup;
    t.is(got.spec.ttl, '1h');
    t.is(got.status, undefined);
    const status = { phase: 'InProgress', startTimestamp: '2024-05-01T12:00:00Z', progress: { totalItems: 10, itemsBackedUp: 3 } };
    await api.patchNamespacedCustomObjectStatus({ ...ref, body: { spec: { ttl: '2h' }, status } }, mergePatch);
    got = (await api.getNamespacedCustomObject(ref)) as Backup;
    t.deepEqual(got.status, status);
    t.is(got.spec.ttl, '1h', 'spec is not written through /status');
    const bad = await api.patchNamespacedCustomObjectStatus({ ...ref, body: { status: { phase: 'Bogus' } } }, mergePatch).then(
      () => undefined,
      (err: unknown) => err,
    );
    t.true(bad instanceof ApiException && bad.code === 422, 'an invalid phase is refused');
  });

  const kubectlBin = kubectlPath();
  const kubectlTest = kubectlBin === undefined && process.env['CI'] !== 'true' ? test.skip : test; // CI never skips
  const suffix = kubectlBin === undefined ? ' (SKIPPED: no kubectl; set KUBECTL)' : '';

  kubectlTest(`kubectl apply -f crds/yaml accepts every CRD${suffix}`, async (t) => {
    const r = await kubectl(plane().kubeconfigPath, ['apply', '-f', CRD_YAML_DIR]);
    t.is(r.code, 0, r.stderr);
    for (const m of loadCrdManifests()) t.regex(r.stdout, new RegExp(`customresourcedefinition\\.apiextensions\\.k8s\\.io/${m.metadata.name} (configured|unchanged|created)`));
  });

  kubectlTest(`kubectl get backups.skiff.dev prints the printer columns${suffix}`, async (t) => {
    const api = objects();
    const ref = { group: GROUP, version: VERSION, namespace: NS, plural: PLURALS.Backup, name: 'printed' };
    await create<Backup>({ apiVersion: API_VERSION, kind: 'Backup', metadata: { name: ref.name }, spec: { storageLocation: 'primary' } });
    const status = { phase: 'PartiallyFailed', errors: 2, warnings: 5, startTimestamp: new Date(Date.now() - 3 * 3600_000).toISOString(), expiration: '2099-01-02T03:04:05Z' };
    await api.patchNamespacedCustomObjectStatus({ ...ref, body: { status } }, mergePatch);
    const r = await kubectl(plane().kubeconfigPath, ['get', 'backups.skiff.dev', ref.name, '-n', NS]);
    t.is(r.code, 0, r.stderr);
    const [header, row] = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    t.deepEqual(header, ['NAME', 'PHASE', 'ERRORS', 'WARNINGS', 'CREATED', 'EXPIRES', 'STORAGELOCATION']);
    t.deepEqual(row, ['printed', 'PartiallyFailed', '2', '5', '3h', '2099-01-02T03:04:05Z', 'primary']);
    const all = await kubectl(plane().kubeconfigPath, ['get', 'skiff', '-n', NS, '-o', 'name']);
    t.regex(all.stdout, /^backup\.skiff\.dev\/printed$/m, 'category skiff lists Skiff objects');
  });
}
