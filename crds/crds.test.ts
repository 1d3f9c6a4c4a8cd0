import test from 'ava';
import {
  ACCESS_MODES,
  BACKUP_PHASES,
  BACKUP_REPOSITORY_PHASES,
  BSL_PHASES,
  DELETE_BACKUP_REQUEST_PHASES,
  DOWNLOAD_REQUEST_PHASES,
  DOWNLOAD_TARGET_KINDS,
  EXISTING_RESOURCE_POLICIES,
  GROUP,
  KINDS,
  PLURALS,
  POD_VOLUME_PHASES,
  RESTORE_PHASES,
  SCHEDULE_PHASES,
  type CrdManifest,
  type SkiffKind,
  loadCrdManifests,
} from './index.ts';

// Checks that need no API server: the YAML agrees with the TypeScript constants, and the schemas
// keep the rules kube-apiserver enforces (the real server checks them too, in test/kube/crds.test.ts).

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
  description?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

const manifests = loadCrdManifests();
const byKind = new Map(manifests.map((m) => [m.spec.names.kind as SkiffKind, m]));

function version(m: CrdManifest): { schema: { openAPIV3Schema: Schema }; subresources?: { status?: object }; additionalPrinterColumns?: Array<{ name: string; jsonPath: string }> } {
  const v = m.spec.versions[0];
  if (v === undefined) throw new Error(`${m.metadata.name} has no version`);
  return v as unknown as ReturnType<typeof version>;
}

function schemaOf(kind: SkiffKind): Schema {
  const m = byKind.get(kind);
  if (m === undefined) throw new Error(`no CRD for ${kind}`);
  return version(m).schema.openAPIV3Schema;
}

function at(schema: Schema, dotted: string): Schema | undefined {
  let s: Schema | undefined = schema;
  for (const part of dotted.split('.').filter((p) => p !== '')) s = s?.properties?.[part];
  return s;
}

function untyped(schema: Schema, where: string): string[] {
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) return [`${where} (preserve-unknown-fields)`];
  const own = schema.type === undefined ? [where] : [];
  const props = Object.entries(schema.properties ?? {}).flatMap(([k, v]) => untyped(v, `${where}.${k}`));
  const items = schema.items === undefined ? [] : untyped(schema.items, `${where}[]`);
  const extra = typeof schema.additionalProperties === 'object' ? untyped(schema.additionalProperties, `${where}{}`) : [];
  return [...own, ...props, ...items, ...extra];
}

test('one CRD per kind, group skiff.dev v1, namespaced, status subresource, category skiff', (t) => {
  t.deepEqual([...byKind.keys()], KINDS);
  for (const m of manifests) {
    const kind = m.spec.names.kind as SkiffKind;
    t.is(m.metadata.name, `${PLURALS[kind]}.${GROUP}`);
    t.is(m.spec.group, GROUP);
    t.is(m.spec.scope, 'Namespaced');
    t.deepEqual(m.spec.names.categories, ['skiff']);
    t.is(m.spec.versions.length, 1);
    t.like(m.spec.versions[0], { name: 'v1', served: true, storage: true });
    t.deepEqual(version(m).subresources?.status, {}, `${kind} has a status subresource`);
  }
  t.deepEqual(
    manifests.filter((m) => m.spec.names.shortNames !== undefined).map((m) => [m.spec.names.kind, m.spec.names.shortNames]),
    [['BackupStorageLocation', ['bsl']]],
  );
});

test('every schema node is typed (no preserve-unknown-fields)', (t) => {
  for (const kind of KINDS) t.deepEqual(untyped(schemaOf(kind), kind), [], kind);
});

test('YAML enums match the TypeScript constants', (t) => {
  const cases: Array<[SkiffKind, string, readonly string[]]> = [
    ['Backup', 'status.phase', BACKUP_PHASES],
    ['Restore', 'status.phase', RESTORE_PHASES],
    ['Restore', 'spec.existingResourcePolicy', EXISTING_RESOURCE_POLICIES],
    ['Schedule', 'status.phase', SCHEDULE_PHASES],
    ['BackupStorageLocation', 'status.phase', BSL_PHASES],
    ['BackupStorageLocation', 'spec.accessMode', ACCESS_MODES],
    ['DeleteBackupRequest', 'status.phase', DELETE_BACKUP_REQUEST_PHASES],
    ['DownloadRequest', 'status.phase', DOWNLOAD_REQUEST_PHASES],
    ['DownloadRequest', 'spec.target.kind', DOWNLOAD_TARGET_KINDS],
    ['BackupRepository', 'status.phase', BACKUP_REPOSITORY_PHASES],
    ['PodVolumeBackup', 'status.phase', POD_VOLUME_PHASES],
    ['PodVolumeRestore', 'status.phase', POD_VOLUME_PHASES],
  ];
  for (const [kind, field, want] of cases) t.deepEqual(at(schemaOf(kind), field)?.enum, [...want], `${kind} ${field}`);
});

test('a Schedule template is exactly a Backup spec', (t) => {
  const { description: _a, ...backupSpec } = at(schemaOf('Backup'), 'spec') ?? {};
  const { description: _b, ...template } = at(schemaOf('Schedule'), 'spec.template') ?? {};
  t.truthy(backupSpec.properties?.['includedNamespaces']);
  t.deepEqual(template, backupSpec);
});

test('Restore filters and selectors are the same schemas as Backup ones', (t) => {
  for (const field of ['includedNamespaces', 'excludedResources', 'includeClusterResources', 'labelSelector', 'orLabelSelectors']) {
    const b = at(schemaOf('Backup'), `spec.${field}`);
    t.truthy(b, field);
    const strip = (s: Schema | undefined): Schema => ({ ...s, description: '' });
    t.deepEqual(strip(at(schemaOf('Restore'), `spec.${field}`)), strip(b), field);
  }
});

test('every printer column points at a field of the schema', (t) => {
  for (const m of manifests) {
    const v = version(m);
    t.true((v.additionalPrinterColumns ?? []).length >= 2, `${m.metadata.name} has printer columns`);
    for (const col of v.additionalPrinterColumns ?? []) {
      if (col.jsonPath === '.metadata.creationTimestamp') continue;
      t.truthy(at(v.schema.openAPIV3Schema, col.jsonPath), `${m.metadata.name} column ${col.name} (${col.jsonPath})`);
    }
  }
});
