/** `skiff install` flags → InstallOptions (reads the files the flags name; never prints their contents). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import {
  type ContainerResources,
  DEFAULT_NODE_AGENT_RESOURCES,
  DEFAULT_SERVER_RESOURCES,
  type InstallOptions,
  type LocationOptions,
  resolveInstallOptions,
} from '../../daemonset/index.ts';
import { SkiffError } from '../../repository/index.ts';
import type { Env } from '../repo/context.ts';
import { VERSION } from '../version.ts';
import { keyValues } from './flags.ts';

export interface InstallFlags {
  namespace?: string;
  image?: string;
  useNodeAgent?: boolean;
  useRestic?: boolean;
  kubeletRootDir?: string;
  defaultVolumesToFsBackup?: boolean;
  provider?: string;
  bucket?: string;
  prefix?: string;
  region?: string;
  s3Url?: string;
  s3ForcePathStyle?: boolean;
  insecureSkipTlsVerify?: boolean;
  cacert?: string;
  backupLocationConfig?: Record<string, string>;
  secretFile?: string;
  /** false with --no-secret */
  secret?: boolean;
  repositoryPasswordFile?: string;
  [resource: string]: unknown;
}

const RESOURCE_FLAGS = ['cpu-request', 'mem-request', 'cpu-limit', 'mem-limit'] as const;

export function withInstallFlags(cmd: Command): Command {
  cmd
    .option('--image <image>', `container image (default skiff/skiff:${VERSION})`)
    .option('--use-node-agent', 'also deploy the node-agent DaemonSet (file system backup of pod volumes)')
    .option('--use-restic', 'alias of --use-node-agent')
    .option('--kubelet-root-dir <dir>', "the kubelet's root directory on the nodes (default /var/lib/kubelet)")
    .option('--default-volumes-to-fs-backup', 'back up every pod volume with the node agent unless excluded')
    .option('--provider <name>', 'object store provider for the default location (aws)', 'aws')
    .option('--bucket <bucket>', 'bucket of the default backup storage location')
    .option('--prefix <prefix>', 'path inside the bucket')
    .option('--region <region>', 'S3 region')
    .option('--s3-url <url>', 'S3 endpoint URL (for S3-compatible stores)')
    .option('--s3-force-path-style', 'path-style bucket addressing (MinIO, Ceph, ...)')
    .option('--insecure-skip-tls-verify', 'do not verify the store TLS certificate')
    .option('--cacert <file>', 'PEM CA bundle for the store')
    .option('--backup-location-config <k=v,...>', 'more provider config for the default location', keyValues)
    .option('--secret-file <file>', 'AWS credentials file for the store (Secret cloud-credentials, key cloud)')
    .option('--no-secret', 'create no credentials Secret (the store needs none, or it is made separately)')
    .option('--repository-password-file <file>', 'password of the file-system-backup repositories (default: 32 random bytes)');
  for (const who of ['skiff', 'node-agent'] as const) {
    for (const r of RESOURCE_FLAGS) cmd.option(`--${who}-pod-${r} <quantity>`, `${who} container ${r.replace('mem', 'memory').replace('-', ' ')}`);
  }
  return cmd;
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function resources(f: InstallFlags, who: 'skiff' | 'node-agent', base: ContainerResources): ContainerResources {
  const pick = (r: (typeof RESOURCE_FLAGS)[number], fallback: string): string => {
    const v = f[camel(`${who}-pod-${r}`)];
    return typeof v === 'string' ? v : fallback;
  };
  return {
    cpuRequest: pick('cpu-request', base.cpuRequest),
    memoryRequest: pick('mem-request', base.memoryRequest),
    cpuLimit: pick('cpu-limit', base.cpuLimit),
    memoryLimit: pick('mem-limit', base.memoryLimit),
  };
}

async function readNamed(e: Env, file: string, flag: string): Promise<string> {
  try {
    return await readFile(path.resolve(e.cwd, file), 'utf8');
  } catch (err) {
    throw new SkiffError('Config', `${flag}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

function location(f: InstallFlags, caCert: string | undefined): LocationOptions | undefined {
  const config: Record<string, string> = {
    ...(f.region !== undefined ? { region: f.region } : {}),
    ...(f.s3Url !== undefined ? { s3Url: f.s3Url } : {}),
    ...(f.s3ForcePathStyle === true ? { s3ForcePathStyle: 'true' } : {}),
    ...(f.insecureSkipTlsVerify === true ? { insecureSkipTLSVerify: 'true' } : {}),
    ...f.backupLocationConfig,
  };
  if (f.bucket === undefined) {
    if (Object.keys(config).length > 0 || f.prefix !== undefined || caCert !== undefined) {
      throw new SkiffError('Config', '--prefix, --region, --s3-url, --cacert and the other location flags need --bucket');
    }
    return undefined;
  }
  if (f.provider !== undefined && f.provider !== 'aws') throw new SkiffError('Config', `provider ${f.provider} is not supported: use aws`);
  return { bucket: f.bucket, ...(f.prefix !== undefined ? { prefix: f.prefix } : {}), config, ...(caCert !== undefined ? { caCert } : {}) };
}

export async function installOptionsFrom(f: InstallFlags, e: Env): Promise<InstallOptions> {
  if (f.secretFile !== undefined && f.secret === false) throw new SkiffError('Config', 'give --secret-file or --no-secret, not both');
  if (f.bucket !== undefined && f.secretFile === undefined && f.secret !== false) {
    throw new SkiffError('Config', '--bucket needs --secret-file (an AWS credentials file) or --no-secret');
  }
  let cloudCredentials: string | undefined;
  if (f.secretFile !== undefined) {
    cloudCredentials = await readNamed(e, f.secretFile, '--secret-file');
    if (!/aws_access_key_id/i.test(cloudCredentials)) {
      throw new SkiffError('Config', `--secret-file ${f.secretFile} is not an AWS credentials file (no aws_access_key_id)`);
    }
  }
  let repositoryPassword: string | undefined;
  if (f.repositoryPasswordFile !== undefined) {
    repositoryPassword = (await readNamed(e, f.repositoryPasswordFile, '--repository-password-file')).split(/\r?\n/)[0] ?? '';
    if (repositoryPassword === '') throw new SkiffError('Config', `--repository-password-file ${f.repositoryPasswordFile} is empty`);
  }
  if (f.kubeletRootDir !== undefined && !f.kubeletRootDir.startsWith('/')) {
    throw new SkiffError('Config', `--kubelet-root-dir must be an absolute path, not ${JSON.stringify(f.kubeletRootDir)}`);
  }
  const caCert = f.cacert !== undefined ? await readNamed(e, f.cacert, '--cacert') : undefined;
  const loc = location(f, caCert);
  return resolveInstallOptions({
    version: VERSION,
    namespace: f.namespace ?? e.env['SKIFF_NAMESPACE'] ?? 'skiff',
    ...(f.image !== undefined ? { image: f.image } : {}),
    useNodeAgent: f.useNodeAgent === true || f.useRestic === true,
    ...(f.kubeletRootDir !== undefined ? { kubeletRootDir: f.kubeletRootDir } : {}),
    defaultVolumesToFsBackup: f.defaultVolumesToFsBackup === true,
    serverResources: resources(f, 'skiff', DEFAULT_SERVER_RESOURCES),
    nodeAgentResources: resources(f, 'node-agent', DEFAULT_NODE_AGENT_RESOURCES),
    ...(cloudCredentials !== undefined ? { cloudCredentials } : {}),
    ...(loc !== undefined ? { location: loc } : {}),
    ...(repositoryPassword !== undefined ? { repositoryPassword } : {}),
  });
}
