import { SkiffError } from '../../repository/errors/errors.ts';
import { buildS3Client, type S3ConnectionOptions } from '../../repository/storage/index.ts';
import type { BackupStorageLocation } from '../../crds/index.ts';
import type { Redacted } from '../runtime/redact.ts';
import type { ObjectStore } from '../runtime/types.ts';
import { parseAwsCredentials } from './aws-credentials.ts';
import { S3ObjectStore } from './s3-object-store.ts';

/** Providers Skiff speaks: S3 and S3-compatible stores (Velero's `aws` plugin; `velero.io/aws` accepted). */
const PROVIDERS = new Set(['aws', 'velero.io/aws']);

/** Where a BSL points and how to connect: what S3Storage needs to open a repository under it too. */
export interface BslConnection {
  readonly connection: S3ConnectionOptions;
  readonly bucket: string;
  /** without leading or trailing '/'; '' for the bucket root */
  readonly prefix: string;
  /** for messages: the endpoint URL or `s3.amazonaws.com` */
  readonly endpoint: string;
}

function flag(v: string | undefined, name: string): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new SkiffError('Config', `config.${name} must be "true" or "false", not ${JSON.stringify(v)}`);
}

function endpointLabel(s3Url: string): string {
  try {
    const u = new URL(s3Url);
    return u.origin === 'null' ? s3Url : `${u.origin}${u.pathname.replace(/\/$/, '')}`;
  } catch {
    throw new SkiffError('Config', `config.s3Url ${JSON.stringify(s3Url)} is not a URL (e.g. https://minio.example.com:9000)`);
  }
}

/**
 * Reads a BSL's spec into S3 connection settings: `objectStorage{bucket,prefix,caCert}`,
 * `config{region,s3Url,s3ForcePathStyle,insecureSkipTLSVerify,profile}`, and the credentials file
 * from its Secret (`credentialsFile`; absent means the SDK's default chain, e.g. AWS_* variables).
 * Throws SkiffError Config with the field at fault.
 */
export function bslConnection(bsl: BackupStorageLocation, credentialsFile: Redacted<Buffer> | undefined): BslConnection {
  const spec = bsl.spec;
  if (!PROVIDERS.has(spec.provider)) throw new SkiffError('Config', `provider ${JSON.stringify(spec.provider)} is not supported: use aws (S3 and S3-compatible stores)`);
  const bucket = (spec.objectStorage?.bucket ?? '').replace(/^\/+|\/+$/g, '');
  if (bucket === '') throw new SkiffError('Config', 'objectStorage.bucket is empty');
  if (bucket.includes('/')) throw new SkiffError('Config', `objectStorage.bucket ${JSON.stringify(bucket)} must not contain '/': put the path in objectStorage.prefix`);
  const prefix = (spec.objectStorage.prefix ?? '').replace(/^\/+|\/+$/g, '');
  const config = spec.config ?? {};
  const s3Url = config.s3Url !== undefined && config.s3Url !== '' ? config.s3Url : undefined;
  const pathStyle = flag(config.s3ForcePathStyle, 's3ForcePathStyle');
  const insecure = flag(config.insecureSkipTLSVerify, 'insecureSkipTLSVerify');
  let caBundle: string | undefined;
  if (spec.objectStorage.caCert !== undefined && spec.objectStorage.caCert !== '') {
    caBundle = Buffer.from(spec.objectStorage.caCert, 'base64').toString('utf8');
    if (!caBundle.includes('-----BEGIN')) throw new SkiffError('Config', 'objectStorage.caCert is not a base64-encoded PEM bundle');
  }
  const profile = config['profile'] !== undefined && config['profile'] !== '' ? config['profile'] : 'default';
  const credentials = credentialsFile === undefined ? undefined : parseAwsCredentials(credentialsFile.reveal().toString('utf8'), profile);
  const connection: S3ConnectionOptions = {
    region: config.region !== undefined && config.region !== '' ? config.region : 'us-east-1',
    ...(s3Url === undefined ? {} : { endpoint: s3Url }),
    ...(pathStyle === undefined ? {} : { forcePathStyle: pathStyle }),
    ...(insecure === undefined ? {} : { insecureSkipTLSVerify: insecure }),
    ...(caBundle === undefined ? {} : { caBundle }),
    ...(credentials === undefined ? {} : { credentials }),
  };
  return { connection, bucket, prefix, endpoint: s3Url === undefined ? 's3.amazonaws.com' : endpointLabel(s3Url) };
}

/**
 * The ObjectStore of a BackupStorageLocation. `credentialsFile` is the value of the BSL's
 * `spec.credential` key in its Secret. The caller owns the store and closes it.
 */
export function objectStoreForBsl(bsl: BackupStorageLocation, credentialsFile: Redacted<Buffer> | undefined, opts: { maxAttempts?: number } = {}): ObjectStore {
  const c = bslConnection(bsl, credentialsFile);
  const built = buildS3Client({ ...c.connection, maxSockets: 8, ...(opts.maxAttempts === undefined ? {} : { maxAttempts: opts.maxAttempts }) });
  return new S3ObjectStore({ built, bucket: c.bucket, prefix: c.prefix, endpoint: c.endpoint });
}
