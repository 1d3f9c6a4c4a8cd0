import { Readable, Transform } from 'node:stream';
import {
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SkiffError } from '../../repository/errors/errors.ts';
import { type BuiltClient, mapS3Error } from '../../repository/storage/index.ts';
import type { ObjectStore } from '../runtime/types.ts';

/** Top-level "directories" Skiff writes under a location's prefix; anything else makes it invalid. */
export const LAYOUT_DIRS = ['backups', 'restores', 'fsb', 'metadata'] as const;

export interface S3ObjectStoreOptions {
  built: BuiltClient;
  bucket: string;
  /** without leading or trailing '/'; '' is the bucket root */
  prefix: string;
  /** for messages, e.g. `http://127.0.0.1:9000` or `s3.amazonaws.com`; never credentials */
  endpoint: string;
}

/**
 * A backup storage location's `<bucket>/<prefix>/` over S3. Keys given to it are relative to the
 * prefix. Every SDK failure is mapped to a SkiffError (mapS3Error) whose message names the endpoint
 * and bucket, never credentials. `deletePrefix` treats its argument as a directory.
 */
export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly built: BuiltClient;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly endpoint: string;

  constructor(o: S3ObjectStoreOptions) {
    this.built = o.built;
    this.client = o.built.client;
    this.bucket = o.bucket;
    this.prefix = o.prefix;
    this.endpoint = o.endpoint;
    this.location = `s3://${o.bucket}${o.prefix === '' ? '' : `/${o.prefix}`}`;
  }

  private full(key: string): string {
    const k = key.replace(/^\/+/, '');
    return this.prefix === '' ? k : `${this.prefix}/${k}`;
  }

  private relative(full: string): string {
    return this.prefix === '' ? full : full.slice(this.prefix.length + 1);
  }

  private async call<R>(key: string | undefined, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (err) {
      throw mapS3Error(err, { endpoint: this.endpoint, bucket: this.bucket, ...(key === undefined ? {} : { key: this.full(key) }) });
    }
  }

  async put(key: string, body: Buffer | Readable, opts: { contentType?: string } = {}): Promise<void> {
    const Key = this.full(key);
    const ContentType = opts.contentType ?? 'application/octet-stream';
    if (Buffer.isBuffer(body)) {
      await this.call(key, () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: body.length, ContentType })));
      return;
    }
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        sent += chunk.length;
        cb(null, chunk);
      },
    });
    body.on('error', (err) => counter.destroy(err));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: body.pipe(counter), ContentType },
      partSize: 8 * 1024 * 1024,
      queueSize: 2,
      leavePartsOnError: false,
    });
    await this.call(key, () => upload.done());
    const head = await this.call(key, () => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key })));
    if (head.ContentLength !== sent) {
      throw new SkiffError('Transient', `upload of ${Key} to bucket ${this.bucket} at ${this.endpoint} stored ${head.ContentLength} bytes, sent ${sent}`);
    }
  }

  async get(key: string): Promise<Buffer> {
    return this.call(key, async () => {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
      if (out.Body === undefined) throw new SkiffError('Transient', `empty response body for ${this.full(key)} from ${this.endpoint}`);
      return Buffer.from(await out.Body.transformToByteArray());
    });
  }

  async getStream(key: string): Promise<Readable> {
    return this.call(key, async () => {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
      const body = out.Body;
      if (body instanceof Readable) return body;
      if (body === undefined) throw new SkiffError('Transient', `empty response body for ${this.full(key)} from ${this.endpoint}`);
      return Readable.from(Buffer.from(await body.transformToByteArray()));
    });
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.call(key, () => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.full(key) })));
      return true;
    } catch (err) {
      if (err instanceof SkiffError && err.code === 'NotFound') return false;
      throw err;
    }
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    let token: string | undefined;
    do {
      const page = await this.call(undefined, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.full(prefix), ContinuationToken: token })),
      );
      for (const o of page.Contents ?? []) if (o.Key !== undefined) yield { key: this.relative(o.Key), size: o.Size ?? 0 };
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /** Names (without the trailing '/') of the "subdirectories" directly under `prefix`, sorted. */
  async listPrefixes(prefix: string): Promise<string[]> {
    const dir = this.full(prefix.replace(/\/*$/, '/'));
    const base = dir === '/' ? '' : dir;
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call(undefined, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, Delimiter: '/', ContinuationToken: token })),
      );
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) out.push(p.Prefix.slice(base.length).replace(/\/$/, ''));
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return out.sort();
  }

  async delete(key: string): Promise<void> {
    await this.call(key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.full(key) })));
  }

  /** Deletes every object under the directory `prefix` (a trailing '/' is implied); returns how many. */
  async deletePrefix(prefix: string): Promise<number> {
    const dir = prefix.replace(/^\/+/, '').replace(/\/*$/, '/');
    if (dir === '/') throw new SkiffError('Permanent', `refusing to delete everything in ${this.location}`);
    let batch: string[] = [];
    let count = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const keys = batch;
      batch = [];
      let left: string[];
      try {
        const out = await this.call(dir, () =>
          this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } })),
        );
        left = (out.Errors ?? []).map((e) => e.Key ?? '').filter((k) => k !== '');
      } catch (err) {
        // some S3-compatible stores lack DeleteObjects or fail it under load (s3rver races on
        // directory cleanup): fall back to one DeleteObject per key, which is idempotent
        if (err instanceof SkiffError && (err.code === 'Auth' || err.code === 'Config' || err.code === 'Cancelled')) throw err;
        left = keys;
      }
      for (const Key of left) await this.call(this.relative(Key), () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })));
      count += keys.length;
    };
    for await (const o of this.list(dir)) {
      batch.push(this.full(o.key));
      if (batch.length === 1000) await flush();
    }
    await flush();
    return count;
  }

  presignGet(key: string, expiresSeconds: number): Promise<string> {
    return this.call(key, () => getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: this.full(key) }), { expiresIn: expiresSeconds }));
  }

  /**
   * The bucket is reachable with these credentials and the prefix holds nothing but Skiff's layout
   * (LAYOUT_DIRS), as Velero checks: a location shared with other data is refused.
   */
  async validate(): Promise<void> {
    const dirs = await this.listPrefixes('');
    const foreign = dirs.filter((d) => !(LAYOUT_DIRS as readonly string[]).includes(d));
    if (foreign.length > 0) {
      const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, ... (${foreign.length} in all)` : '');
      throw new SkiffError('Config', `${this.location} contains invalid top-level directories: [${shown}] (Skiff expects only ${LAYOUT_DIRS.join(', ')})`);
    }
  }

  async close(): Promise<void> {
    this.built.destroy();
  }
}
