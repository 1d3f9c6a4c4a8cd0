import { SkiffError } from '../errors/errors.ts';
import { resolveRange, throwIfAborted } from './load-range.ts';
import { isId, layoutDir, layoutPath } from './storage.ts';
import type { FileInfo, FileType, Handle, LoadIntoOptions, LoadOptions, SaveOptions, Storage } from './storage.ts';

export interface MemStorageOptions {
  /** shown in messages; default `mem:` */
  readonly location?: string;
  /** default 4 */
  readonly connections?: number;
}

/**
 * In-memory storage for unit tests. Starts empty and usable without `create()`.
 * `objects` maps layout paths (`data/ab/ab…`) to bytes; tests may read or tamper with it.
 */
export class MemStorage implements Storage {
  readonly location: string;
  readonly connections: number;
  readonly objects = new Map<string, Buffer>();

  constructor(opts: MemStorageOptions = {}) {
    this.location = opts.location ?? 'mem:';
    this.connections = opts.connections ?? 4;
  }

  async create(): Promise<void> {
    if (this.objects.has('config')) {
      throw new SkiffError('Conflict', `a repository already exists at ${this.location}`);
    }
  }

  async save(h: Handle, data: Uint8Array, opts: SaveOptions = {}): Promise<void> {
    throwIfAborted(opts.signal);
    const key = layoutPath(h);
    const existing = this.objects.get(key);
    if (existing !== undefined && !opts.overwrite) {
      if (existing.equals(data)) return;
      throw new SkiffError('Conflict', `${key} already exists in ${this.location} with different content`);
    }
    this.objects.set(key, Buffer.from(data));
  }

  async load(h: Handle, opts: LoadOptions = {}): Promise<Buffer> {
    throwIfAborted(opts.signal);
    const key = layoutPath(h);
    const bytes = this.objects.get(key);
    if (bytes === undefined) throw notFound(key, this.location);
    const { start, end } = resolveRange(bytes.length, opts, key);
    return Buffer.from(bytes.subarray(start, end));
  }

  async loadInto(h: Handle, into: Uint8Array, opts: LoadIntoOptions = {}): Promise<void> {
    throwIfAborted(opts.signal);
    const key = layoutPath(h);
    const bytes = this.objects.get(key);
    if (bytes === undefined) throw notFound(key, this.location);
    const { start, end } = resolveRange(bytes.length, { ...opts, length: into.length }, key);
    into.set(bytes.subarray(start, end));
  }

  async stat(h: Handle): Promise<FileInfo> {
    const key = layoutPath(h);
    const bytes = this.objects.get(key);
    if (bytes === undefined) throw notFound(key, this.location);
    return { name: h.name, size: bytes.length };
  }

  async *list(type: FileType, opts: { signal?: AbortSignal } = {}): AsyncIterable<FileInfo> {
    if (type === 'config') return;
    const prefix = `${layoutDir(type)}/`;
    // snapshot the keys so saves during iteration do not disturb it
    for (const [key, bytes] of [...this.objects]) {
      throwIfAborted(opts.signal);
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      if (type !== 'data' && rest.includes('/')) continue;
      const name = rest.slice(rest.lastIndexOf('/') + 1);
      if (isId(name)) yield { name, size: bytes.length };
    }
  }

  async remove(h: Handle): Promise<void> {
    this.objects.delete(layoutPath(h));
  }

  async close(): Promise<void> {}
}

function notFound(key: string, location: string): SkiffError {
  return new SkiffError('NotFound', `${key} not found in ${location}`);
}
