import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { readCaBundle } from './s3-ca.ts';

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** How to reach the service; shared by S3Storage and the tests' raw clients. */
export interface S3ConnectionOptions {
  /** custom endpoint URL (MinIO, Ceph, Swift, s3rver); absent means AWS */
  readonly endpoint?: string;
  /** default us-east-1 */
  readonly region?: string;
  /** default: true with a custom endpoint, false for AWS */
  readonly forcePathStyle?: boolean;
  /** absent: the SDK's default chain (AWS_ACCESS_KEY_ID…, AWS_PROFILE, ~/.aws, IMDS) */
  readonly credentials?: S3Credentials;
  /** AWS shared-config profile used when `credentials` is absent */
  readonly profile?: string;
  /** PEM file path or PEM text of extra trusted CAs */
  readonly caBundle?: string;
  readonly insecureSkipTLSVerify?: boolean;
  /** SDK attempts per request, default 3 */
  readonly maxAttempts?: number;
  /** default 10 s */
  readonly connectTimeoutMs?: number;
  /** idle socket timeout, default 120 s */
  readonly socketTimeoutMs?: number;
  /** sockets per agent, default 16 */
  readonly maxSockets?: number;
}

export interface BuiltClient {
  readonly client: S3Client;
  /** destroys the client and its keep-alive agents */
  destroy(): void;
}

/**
 * An S3Client that works with AWS and with strict S3-compatible servers:
 * checksums only when an operation requires them (no aws-chunked bodies, which Swift refuses and
 * s3rver stores verbatim), Content-MD5 on DeleteObjects and uploads, keep-alive agents sized for our concurrency.
 */
export function buildS3Client(opts: S3ConnectionOptions): BuiltClient {
  const maxSockets = opts.maxSockets ?? 16;
  const ca = opts.caBundle === undefined ? undefined : readCaBundle(opts.caBundle);
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets });
  const httpsAgent = new https.Agent({
    keepAlive: true,
    maxSockets,
    rejectUnauthorized: opts.insecureSkipTLSVerify !== true,
    ...(ca === undefined ? {} : { ca }),
  });
  const config: S3ClientConfig = {
    region: opts.region ?? 'us-east-1',
    forcePathStyle: opts.forcePathStyle ?? opts.endpoint !== undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: opts.maxAttempts ?? 3,
    // the SDK writes some warnings to the console unless given a logger (e.g. on every failed
    // streamed upload, which S3Storage retries itself); errors reach the caller as errors
    logger: QUIET,
    requestHandler: {
      httpAgent,
      httpsAgent,
      connectionTimeout: opts.connectTimeoutMs ?? 10_000,
      socketTimeout: opts.socketTimeoutMs ?? 120_000,
    },
  };
  if (opts.endpoint !== undefined) config.endpoint = opts.endpoint;
  else config.followRegionRedirects = true;
  if (opts.credentials !== undefined) config.credentials = { ...opts.credentials };
  else if (opts.profile !== undefined) config.profile = opts.profile;
  const client = new S3Client(config);
  addContentMd5(client);
  return {
    client,
    destroy() {
      client.destroy();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

const QUIET = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const MD5_COMMANDS = new Set(['DeleteObjectsCommand', 'PutObjectCommand', 'UploadPartCommand']);

/**
 * Sets Content-MD5 on DeleteObjects (Swift's and Ceph's S3 APIs require it; with WHEN_REQUIRED the
 * SDK sends only a CRC32) and on PutObject / UploadPart with an in-memory body, so a server refuses
 * bytes damaged in transit. Build step: the body is still a string or bytes there.
 */
export function addContentMd5(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const req = args.request as { headers?: Record<string, string>; body?: unknown } | undefined;
      const headers = req?.headers;
      if (MD5_COMMANDS.has(context.commandName ?? '') && headers !== undefined) {
        const body = req?.body;
        const has = Object.keys(headers).some((k) => k.toLowerCase() === 'content-md5');
        if (!has && (typeof body === 'string' || body instanceof Uint8Array)) {
          headers['content-md5'] = createHash('md5').update(body).digest('base64');
        }
      }
      return next(args);
    },
    { step: 'build', name: 'skiffContentMd5', override: true },
  );
}
