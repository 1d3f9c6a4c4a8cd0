import { createHash } from 'node:crypto';
import path from 'node:path';
import { inspect } from 'node:util';
import type { BucketLocationConstraint, S3Client } from '@aws-sdk/client-s3';
import { SkiffError, isCode } from '../errors/errors.ts';
import { shortRead, throwIfAborted, wantedRange } from './load-range.ts';
import { withRetry } from './retry.ts';
import type { RetryOptions } from './retry.ts';
import type { BuiltClient, S3ConnectionOptions } from './s3-client.ts';
import { readCaBundle } from './s3-ca.ts';
import { readBodyInto } from './s3-body.ts';
import { mapS3Error } from './s3-errors.ts';
import { loadS3Sdk, type S3Sdk } from './s3-sdk.ts';
import type { S3ErrorContext } from './s3-errors.ts';
import { isId, layoutDir, layoutPath } from './storage.ts';
import { uploadBody } from './upload-body.ts';
import type { FileInfo, FileType, Handle, LoadIntoOptions, LoadOptions, SaveOptions, Storage } from './storage.ts';

const MiB = 1024 * 1024;

export interface S3StorageOptions extends S3ConnectionOptions {
  readonly bucket: string;
  /** key prefix, already cleaned; '' means the bucket root */
  readonly prefix?: string;
  /** concurrent requests the engine should issue; default 8 */
  readonly connections?: number;
  /** `create()` creates a missing bucket instead of failing with Config */
  readonly createBucket?: boolean;
  /** our retry of Transient failures on top of the SDK's; false: none */
  readonly retry?: RetryOptions | false;
  /** objects larger than this go up as multipart uploads; default 64 MiB */
  readonly multipartThreshold?: number;
  /** multipart part size; default 16 MiB */
  readonly partSize?: number;
  /** reads readers should combine ranges up to (Storage.readBytes); default 16 MiB */
  readonly readBytes?: number;
  /** ListObjectsV2 MaxKeys; default 1000 */
  readonly listPageSize?: number;
}

/**
 * A repository under `<bucket>/<prefix>/` in S3 or an S3-compatible store, restic's default layout.
 * Every SDK error is mapped to a SkiffError code here; Transient failures are retried with backoff.
 * Without `overwrite`, `save` checks for an existing object first (servers such as Swift have no
 * conditional PUT), so a racing writer of a different object under the same name is not detected.
 * The AWS SDK is loaded and the client built on the first request (see s3-sdk.ts); a CA bundle is
 * read at construction, so a bad path fails at once.
 */
export class S3Storage implements Storage {
  readonly location: string;
  readonly connections: number;
  readonly contentMd5 = true;
  /** a pack (16 MiB) per request */
  readonly readBytes: number;
  /** builds the client on first use; a closure, so the credentials sit in no field */
  private readonly connect: () => Promise<BuiltClient>;
  private built: Promise<BuiltClient> | undefined;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly ctx: S3ErrorContext;
  private readonly retry: RetryOptions;
  /** the options minus credentials, so nothing secret sits in a field */
  private readonly opts: Omit<S3StorageOptions, 'credentials' | 'caBundle'>;

  constructor(opts: S3StorageOptions) {
    const { credentials: _c, caBundle: _ca, ...rest } = opts;
    this.opts = rest;
    this.bucket = opts.bucket;
    this.prefix = opts.prefix === '.' ? '' : (opts.prefix ?? '');
    this.connections = opts.connections ?? 8;
    this.readBytes = opts.readBytes ?? 16 * MiB;
    const ca = opts.caBundle === undefined ? undefined : readCaBundle(opts.caBundle);
    const connection: S3ConnectionOptions = { ...opts, ...(ca === undefined ? {} : { caBundle: ca }), maxSockets: Math.max(opts.maxSockets ?? 0, this.connections * 2) };
    this.connect = async () => (await loadS3Sdk()).buildS3Client(connection);
    const endpoint = opts.endpoint === undefined ? 's3.amazonaws.com' : displayEndpoint(opts.endpoint);
    this.ctx = { endpoint, bucket: this.bucket };
    this.location = `s3:${endpoint}/${this.bucket}${this.prefix === '' ? '' : `/${this.prefix}`}`;
    this.retry = opts.retry === false ? { attempts: 1 } : (opts.retry ?? {});
  }

  async create(): Promise<void> {
    try {
      await this.call(undefined, undefined, (c, sdk) => c.send(new sdk.s3.HeadBucketCommand({ Bucket: this.bucket })));
    } catch (err) {
      if (!isCode(err, 'Config') || this.opts.createBucket !== true) throw err;
      await this.createBucket();
    }
    if ((await this.statOrUndefined({ type: 'config', name: '' })) !== undefined) {
      throw new SkiffError('Conflict', `a repository already exists at ${this.location}`);
    }
  }

  async save(h: Handle, data: Uint8Array, opts: SaveOptions = {}): Promise<void> {
    throwIfAborted(opts.signal);
    const key = this.key(h);
    if (opts.overwrite !== true) {
      const existing = await this.statOrUndefined(h);
      if (existing !== undefined) {
        if (existing.size === data.length && (await this.load(h, withSignal(opts.signal))).equals(data)) return;
        throw new SkiffError('Conflict', `${key} already exists in ${this.location} with different content`);
      }
    }
    const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (body.length > (this.opts.multipartThreshold ?? 64 * MiB)) {
      await this.call(key, opts.signal, (client, sdk) => sdk.uploadMultipart({
        client, bucket: this.bucket, key, body, signal: opts.signal,
        partSize: this.opts.partSize ?? 16 * MiB, queueSize: Math.min(4, this.connections),
      }));
      return;
    }
    const md5 = opts.md5 ?? createHash('md5').update(body).digest('base64');
    await this.call(key, opts.signal, (c, sdk) => c.send(new sdk.s3.PutObjectCommand({
      Bucket: this.bucket, Key: key, Body: uploadBody(body), ContentLength: body.length,
      ContentMD5: md5, ContentType: 'application/octet-stream',
    }), withAbort(opts.signal)));
  }

  async load(h: Handle, opts: LoadOptions = {}): Promise<Buffer> {
    throwIfAborted(opts.signal);
    const key = this.key(h);
    const { offset, length } = wantedRange(opts);
    if (length === 0 || (offset > 0 && length === undefined)) {
      // S3 cannot express an empty range; learn the size and ask for an explicit one
      const { size } = await this.stat(h);
      const end = length === undefined ? size : offset + length;
      if (offset > size || end > size) throw shortRead(key, end - offset, Math.max(0, size - offset));
      if (end === offset) return Buffer.alloc(0);
      return this.getRange(key, offset, end - offset, opts.signal);
    }
    return this.getRange(key, offset, length, opts.signal);
  }

  async loadInto(h: Handle, into: Uint8Array, opts: LoadIntoOptions = {}): Promise<void> {
    throwIfAborted(opts.signal);
    const key = this.key(h);
    const { offset } = wantedRange(opts);
    if (into.length === 0) {
      // S3 cannot express an empty range: the object must exist and reach `offset`
      const { size } = await this.stat(h);
      if (offset > size) throw shortRead(key, 0, 0);
      return;
    }
    const input = { Bucket: this.bucket, Key: key, Range: `bytes=${offset}-${offset + into.length - 1}` };
    await this.call(key, opts.signal, async (c, sdk) => {
      const out = await c.send(new sdk.s3.GetObjectCommand(input), withAbort(opts.signal));
      if (out.Body === undefined) throw new SkiffError('Transient', `empty response body for ${key} from ${this.ctx.endpoint}`);
      const got = await readBodyInto(out.Body as AsyncIterable<Uint8Array>, into, `${key} from ${this.ctx.endpoint}`);
      if (out.ContentLength !== undefined && got !== out.ContentLength) {
        throw new SkiffError('Transient', `truncated response for ${key} from ${this.ctx.endpoint}: ${got} of ${out.ContentLength} bytes`);
      }
      if (got !== into.length) throw shortRead(key, into.length, got);
    });
  }

  async stat(h: Handle): Promise<FileInfo> {
    const key = this.key(h);
    const out = await this.call(key, undefined, (c, sdk) => c.send(new sdk.s3.HeadObjectCommand({ Bucket: this.bucket, Key: key })));
    return { name: h.name, size: out.ContentLength ?? 0 };
  }

  async *list(type: FileType, opts: { signal?: AbortSignal } = {}): AsyncIterable<FileInfo> {
    if (type === 'config') return;
    const prefix = `${this.join(layoutDir(type))}/`;
    const recursive = type === 'data';
    let token: string | undefined;
    do {
      throwIfAborted(opts.signal);
      const input = {
        Bucket: this.bucket, Prefix: prefix, MaxKeys: this.opts.listPageSize ?? 1000,
        ...(recursive ? {} : { Delimiter: '/' }),
        ...(token === undefined ? {} : { ContinuationToken: token }),
      };
      const out = await this.call(prefix, opts.signal, (c, sdk) => c.send(new sdk.s3.ListObjectsV2Command(input), withAbort(opts.signal)));
      for (const obj of out.Contents ?? []) {
        const name = path.posix.basename(obj.Key ?? '');
        if (isId(name)) yield { name, size: obj.Size ?? 0 };
      }
      token = out.IsTruncated === true ? out.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async remove(h: Handle): Promise<void> {
    const key = this.key(h);
    try {
      await this.call(key, undefined, (c, sdk) => c.send(new sdk.s3.DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
    } catch (err) {
      if (!isCode(err, 'NotFound')) throw err;
    }
  }

  async close(): Promise<void> {
    const built = this.built;
    this.built = undefined;
    if (built) (await built).destroy();
  }

  toJSON(): { location: string } {
    return { location: this.location };
  }

  [inspect.custom](): string {
    return `S3Storage(${this.location})`;
  }

  /** The object key of a handle: `<prefix>/<layout path>`, no leading slash for an empty prefix. */
  key(h: Handle): string {
    return this.join(layoutPath(h));
  }

  private join(rel: string): string {
    return this.prefix === '' ? rel : path.posix.join(this.prefix, rel);
  }

  private async getRange(key: string, offset: number, length: number | undefined, signal?: AbortSignal): Promise<Buffer> {
    const range = length === undefined ? undefined : `bytes=${offset}-${offset + length - 1}`;
    const input = { Bucket: this.bucket, Key: key, ...(range === undefined ? {} : { Range: range }) };
    return this.call(key, signal, async (c, sdk) => {
      const out = await c.send(new sdk.s3.GetObjectCommand(input), withAbort(signal));
      if (out.Body === undefined) throw new SkiffError('Transient', `empty response body for ${key} from ${this.ctx.endpoint}`);
      const bytes = await bodyBytes(out.Body, out.ContentLength, `${key} from ${this.ctx.endpoint}`);
      if (out.ContentLength !== undefined && bytes.length !== out.ContentLength) {
        throw new SkiffError('Transient', `truncated response for ${key} from ${this.ctx.endpoint}: ${bytes.length} of ${out.ContentLength} bytes`);
      }
      if (length !== undefined && bytes.length !== length) throw shortRead(key, length, bytes.length);
      return bytes;
    });
  }

  private async statOrUndefined(h: Handle): Promise<FileInfo | undefined> {
    try {
      return await this.stat(h);
    } catch (err) {
      if (isCode(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  private async createBucket(): Promise<void> {
    const region = this.opts.region ?? 'us-east-1';
    const awsRegion = this.opts.endpoint === undefined && region !== 'us-east-1';
    const input = {
      Bucket: this.bucket,
      ...(awsRegion ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } } : {}),
    };
    await this.call(undefined, undefined, async (c, sdk) => {
      try {
        await c.send(new sdk.s3.CreateBucketCommand(input));
      } catch (err) {
        // a retried create whose first attempt succeeded
        if (!(err instanceof Error && err.name === 'BucketAlreadyOwnedByYou')) throw err;
      }
    });
  }

  /** The client, built on first use (the SDK is loaded then). */
  private async client(): Promise<S3Client> {
    this.built ??= this.connect();
    return (await this.built).client;
  }

  /** One request with our retry around the SDK's; every error leaves as a SkiffError. */
  private call<T>(key: string | undefined, signal: AbortSignal | undefined, fn: (client: S3Client, sdk: S3Sdk) => Promise<T>): Promise<T> {
    const ctx: S3ErrorContext = key === undefined ? this.ctx : { ...this.ctx, key };
    return withRetry(async () => {
      try {
        const client = await this.client();
        return await fn(client, await loadS3Sdk());
      } catch (err) {
        throw mapS3Error(err, ctx);
      }
    }, { ...this.retry, signal });
  }
}

/** The whole body: read into one buffer of the announced length, or collected when none was announced. */
async function bodyBytes(body: { transformToByteArray(): Promise<Uint8Array> }, length: number | undefined, what: string): Promise<Buffer> {
  if (length === undefined) return Buffer.from(await body.transformToByteArray());
  const buf = Buffer.allocUnsafe(length);
  return buf.subarray(0, await readBodyInto(body as unknown as AsyncIterable<Uint8Array>, buf, what));
}

function withAbort(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}

function withSignal(signal: AbortSignal | undefined): LoadOptions {
  return signal === undefined ? {} : { signal };
}

/** The endpoint without any user:password part, for messages and `location`. */
function displayEndpoint(endpoint: string): string {
  try {
    const u = new URL(endpoint);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return endpoint;
  }
}
