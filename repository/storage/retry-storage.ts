import { isCode } from '../errors/errors.ts';
import type { SkiffError } from '../errors/errors.ts';
import { loadInto } from './load-into.ts';
import { DEFAULT_RETRY, backoffDelay, sleep, withRetry } from './retry.ts';
import type { RetryOptions } from './retry.ts';
import type { FileInfo, FileType, Handle, LoadIntoOptions, LoadOptions, SaveOptions, Storage } from './storage.ts';

/**
 * Retries `Transient` failures of any storage with backoff (see retry.ts). A listing that fails
 * part-way is restarted and names already yielded are skipped, so each object is yielded once.
 * S3Storage retries internally already; this is for other backends and for fault tests.
 */
export class RetryStorage implements Storage {
  readonly location: string;
  readonly connections: number;
  readonly readBytes?: number;
  readonly contentMd5?: boolean;
  private readonly inner: Storage;
  private readonly retry: RetryOptions;

  constructor(inner: Storage, retry: RetryOptions = {}) {
    this.inner = inner;
    this.retry = retry;
    this.location = inner.location;
    this.connections = inner.connections;
    if (inner.readBytes !== undefined) this.readBytes = inner.readBytes;
    if (inner.contentMd5 !== undefined) this.contentMd5 = inner.contentMd5;
  }

  create(): Promise<void> {
    return withRetry(() => this.inner.create(), this.retry);
  }

  save(h: Handle, data: Uint8Array, opts?: SaveOptions): Promise<void> {
    return withRetry(() => this.inner.save(h, data, opts), { ...this.retry, signal: opts?.signal });
  }

  load(h: Handle, opts?: LoadOptions): Promise<Buffer> {
    return withRetry(() => this.inner.load(h, opts), { ...this.retry, signal: opts?.signal });
  }

  loadInto(h: Handle, into: Uint8Array, opts?: LoadIntoOptions): Promise<void> {
    return withRetry(() => loadInto(this.inner, h, into, opts), { ...this.retry, signal: opts?.signal });
  }

  stat(h: Handle): Promise<FileInfo> {
    return withRetry(() => this.inner.stat(h), this.retry);
  }

  async *list(type: FileType, opts?: { signal?: AbortSignal }): AsyncIterable<FileInfo> {
    const seen = new Set<string>();
    const attempts = Math.max(1, this.retry.attempts ?? DEFAULT_RETRY.attempts);
    for (let attempt = 1; ; attempt++) {
      try {
        for await (const info of this.inner.list(type, opts)) {
          if (seen.has(info.name)) continue;
          seen.add(info.name);
          yield info;
        }
        return;
      } catch (err) {
        if (!isCode(err, 'Transient') || attempt >= attempts) throw err;
        const delayMs = backoffDelay(attempt, this.retry);
        this.retry.onRetry?.({ attempt, delayMs, error: err as SkiffError });
        await (this.retry.sleep ?? sleep)(delayMs, opts?.signal);
      }
    }
  }

  remove(h: Handle): Promise<void> {
    return withRetry(() => this.inner.remove(h), this.retry);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
