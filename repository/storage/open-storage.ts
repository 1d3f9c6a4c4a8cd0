import { SkiffError } from '../errors/errors.ts';
import { FsStorage } from './fs-storage.ts';
import type { RetryOptions } from './retry.ts';
import type { S3Credentials } from './s3-client.ts';
import { S3Storage } from './s3-storage.ts';
import type { Storage } from './storage.ts';
import { parseRepositoryUrl } from './url.ts';

export interface OpenS3Options {
  readonly credentials?: S3Credentials;
  readonly profile?: string;
  readonly region?: string;
  /** PEM path or PEM text */
  readonly caBundle?: string;
  readonly insecureSkipTLSVerify?: boolean;
  readonly createBucket?: boolean;
  readonly maxAttempts?: number;
  readonly connections?: number;
  readonly retry?: RetryOptions | false;
}

export interface OpenStorageOptions {
  readonly s3?: OpenS3Options;
  /** where AWS_* and SKIFF_CACERT are read from when not given in `s3`; default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Opens the storage a repository URL names (see url.ts). For S3, options not given explicitly come
 * from the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE,
 * AWS_DEFAULT_REGION / AWS_REGION and SKIFF_CACERT. Without keys the SDK's default chain is used.
 */
export function openStorage(url: string, opts: OpenStorageOptions = {}): Storage {
  const parsed = parseRepositoryUrl(url);
  if (parsed.kind === 'local') return new FsStorage(parsed.path);
  const env = opts.env ?? process.env;
  const s3 = opts.s3 ?? {};
  const credentials = s3.credentials ?? credentialsFromEnv(env);
  const profile = s3.profile ?? nonEmpty(env['AWS_PROFILE']);
  const region = s3.region ?? parsed.region ?? nonEmpty(env['AWS_DEFAULT_REGION']) ?? nonEmpty(env['AWS_REGION']);
  const caBundle = s3.caBundle ?? nonEmpty(env['SKIFF_CACERT']);
  return new S3Storage({
    bucket: parsed.bucket,
    prefix: parsed.prefix,
    forcePathStyle: parsed.forcePathStyle,
    ...(parsed.endpoint === undefined ? {} : { endpoint: parsed.endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
    ...(profile === undefined ? {} : { profile }),
    ...(region === undefined ? {} : { region }),
    ...(caBundle === undefined ? {} : { caBundle }),
    ...(s3.insecureSkipTLSVerify === undefined ? {} : { insecureSkipTLSVerify: s3.insecureSkipTLSVerify }),
    ...(s3.createBucket === undefined ? {} : { createBucket: s3.createBucket }),
    ...(s3.maxAttempts === undefined ? {} : { maxAttempts: s3.maxAttempts }),
    ...(s3.connections === undefined ? {} : { connections: s3.connections }),
    ...(s3.retry === undefined ? {} : { retry: s3.retry }),
  });
}

function credentialsFromEnv(env: NodeJS.ProcessEnv): S3Credentials | undefined {
  const accessKeyId = nonEmpty(env['AWS_ACCESS_KEY_ID']);
  const secretAccessKey = nonEmpty(env['AWS_SECRET_ACCESS_KEY']);
  if (accessKeyId === undefined && secretAccessKey === undefined) return undefined;
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    const missing = accessKeyId === undefined ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY';
    throw new SkiffError('Config', `${missing} is not set but its partner is`);
  }
  const sessionToken = nonEmpty(env['AWS_SESSION_TOKEN']);
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
