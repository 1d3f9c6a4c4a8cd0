import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { parseAllDocuments } from 'yaml';
import { KINDS, crdName } from '../../crds/index.ts';
import { runSkiff } from './testing/run-skiff.ts';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };

async function dryRun(args: string[] = [], cwd?: string): Promise<Obj[]> {
  // a kubeconfig that does not exist: any attempt to reach a cluster would fail the run
  const r = await runSkiff(['install', '--dry-run', '-o', 'yaml', '--kubeconfig', '/nonexistent/kubeconfig', ...args], {}, cwd);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => {
    if (d.errors.length > 0) throw new Error(String(d.errors[0]));
    return d.toJS() as Obj;
  });
}

function one(objs: Obj[], kind: string, name: string): Obj {
  const found = objs.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`${found.length} × ${kind}/${name}`);
  return found[0]!;
}

function pod(o: Obj): { containers: Record<string, unknown>[]; volumes: Record<string, unknown>[]; serviceAccountName: string } {
  return (o['spec'] as { template: { spec: never } }).template.spec;
}

async function tmp(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skiff-install-'));
  for (const [n, c] of Object.entries(files)) await writeFile(path.join(dir, n), c);
  return dir;
}

const CREDS = '[default]\naws_access_key_id=AKIDEXAMPLE\naws_secret_access_key=wJalrXUtnFEMI\n';

test('install --dry-run -o yaml prints every CRD, RBAC, Secret and the Deployment, and touches no cluster', async (t) => {
  const objs = await dryRun();
  const crds = objs.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name);
  t.deepEqual(crds.sort(), KINDS.map(crdName).sort());
  for (const kind of ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Secret', 'Deployment']) {
    t.true(objs.some((o) => o.kind === kind), kind);
  }
  t.false(objs.some((o) => o.kind === 'DaemonSet'));
  const d = one(objs, 'Deployment', 'skiff');
  t.is(pod(d).serviceAccountName, 'skiff');
  t.deepEqual(pod(d).containers[0]?.['args'], ['server', '--namespace', 'skiff']);
  t.is(pod(d).containers[0]?.['image'], `skiff/skiff:${(await import('../version.ts')).VERSION}`);
});

test('the repository password Secret holds a random 32-byte password that differs between runs', async (t) => {
  const pw = async () => {
    const s = one(await dryRun(), 'Secret', 'skiff-repo-credentials') as Obj & { data: Record<string, string> };
    return Buffer.from(s.data['repository-password'] ?? '', 'base64').toString();
  };
  const a = await pw();
  const b = await pw();
  t.not(a, b);
  t.is(Buffer.from(a, 'base64').length, 32);
});

test('--repository-password-file supplies the password', async (t) => {
  const dir = await tmp({ pw: 'correct horse battery staple\n' });
  const s = one(await dryRun(['--repository-password-file', 'pw'], dir), 'Secret', 'skiff-repo-credentials') as Obj & { data: Record<string, string> };
  t.is(Buffer.from(s.data['repository-password'] ?? '', 'base64').toString(), 'correct horse battery staple');
});

for (const flag of ['--use-node-agent', '--use-restic']) {
  test(`${flag} adds the node-agent DaemonSet: hostPath, HostToContainer, NODE_NAME, unprivileged uid 0`, async (t) => {
    const objs = await dryRun([flag, '--kubelet-root-dir', '/var/snap/microk8s/common/var/lib/kubelet']);
    const ds = one(objs, 'DaemonSet', 'node-agent');
    const spec = pod(ds);
    const c = spec.containers[0] as { args: string[]; env: { name: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }[]; volumeMounts: Record<string, string>[]; securityContext: Record<string, unknown>; resources: { requests: object; limits: object } };
    t.deepEqual(c.args, ['node-agent']);
    t.is(c.env.find((e) => e.name === 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath, 'spec.nodeName');
    const m = c.volumeMounts.find((v) => v['mountPath'] === '/host_pods');
    t.is(m?.['mountPropagation'], 'HostToContainer');
    const v = spec.volumes.find((x) => x['name'] === m?.['name']) as { hostPath: { path: string } };
    t.is(v.hostPath.path, '/var/snap/microk8s/common/var/lib/kubelet/pods');
    t.is(c.securityContext['privileged'], false);
    t.is(c.securityContext['runAsUser'], 0);
    t.truthy(c.resources.requests);
    t.truthy(c.resources.limits);
    t.is(spec.serviceAccountName, 'skiff-node-agent');
  });
}

test('--bucket/--secret-file/--s3-url make the credentials Secret and the default location', async (t) => {
  const dir = await tmp({ creds: CREDS });
  const objs = await dryRun(
    ['--bucket', 'bk', '--prefix', 'c1', '--secret-file', 'creds', '--s3-url', 'http://127.0.0.1:9000', '--region', 'minio', '--s3-force-path-style', '--default-volumes-to-fs-backup', '-n', 'bk-sys'],
    dir,
  );
  const secret = one(objs, 'Secret', 'cloud-credentials') as Obj & { data: Record<string, string> };
  t.is(Buffer.from(secret.data['cloud'] ?? '', 'base64').toString(), CREDS);
  const bsl = one(objs, 'BackupStorageLocation', 'default') as Obj & { spec: Record<string, unknown> };
  t.is(bsl.metadata.namespace, 'bk-sys');
  t.deepEqual(bsl.spec['config'], { region: 'minio', s3Url: 'http://127.0.0.1:9000', s3ForcePathStyle: 'true' });
  t.deepEqual(bsl.spec['credential'], { name: 'cloud-credentials', key: 'cloud' });
  t.is(bsl.spec['default'], true);
  t.true((pod(one(objs, 'Deployment', 'skiff')).containers[0]?.['args'] as string[]).includes('--default-volumes-to-fs-backup'));
});

test('-o json prints a v1 List; -o table is refused', async (t) => {
  const r = await runSkiff(['install', '--dry-run', '-o', 'json']);
  t.is(r.code, 0);
  const list = JSON.parse(r.stdout) as { kind: string; items: Obj[] };
  t.is(list.kind, 'List');
  t.true(list.items.some((o) => o.kind === 'Deployment'));
  const bad = await runSkiff(['install', '--dry-run', '-o', 'table']);
  t.not(bad.code, 0);
  t.regex(bad.stderr, /yaml or json/);
});

test('flag errors are one clear line and never echo the credentials', async (t) => {
  const dir = await tmp({ creds: CREDS, junk: 'secret-value-123\n' });
  const noSecret = await runSkiff(['install', '--dry-run', '--bucket', 'bk'], {}, dir);
  t.is(noSecret.code, 1);
  t.regex(noSecret.stderr, /--secret-file .* or --no-secret/);
  const junk = await runSkiff(['install', '--dry-run', '--bucket', 'bk', '--secret-file', 'junk'], {}, dir);
  t.regex(junk.stderr, /not an AWS credentials file/);
  t.notRegex(junk.stderr, /secret-value-123/);
  const orphan = await runSkiff(['install', '--dry-run', '--s3-url', 'http://x'], {}, dir);
  t.regex(orphan.stderr, /need --bucket/);
  const ok = await runSkiff(['install', '--dry-run', '--bucket', 'bk', '--no-secret'], {}, dir);
  t.is(ok.code, 0);
  t.notRegex(ok.stdout, /cloud-credentials/);
});
