import { Readable } from 'node:stream';
import { SkiffError } from '../../repository/errors/errors.ts';
import type { ObjectStore } from '../runtime/types.ts';

/**
 * An in-memory ObjectStore with the same key semantics as S3ObjectStore, for unit tests of
 * reconcilers. `objects` is open for inspection; `failWith` makes every call fail (an unreachable
 * location).
 */
export class MemObjectStore implements ObjectStore {
  readonly location: string;
  readonly objects = new Map<string, Buffer>();
  failWith: SkiffError | undefined;

  constructor(location = 'mem://bucket/prefix') {
    this.location = location;
  }

  private check(): void {
    if (this.failWith !== undefined) throw this.failWith;
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    this.check();
    if (Buffer.isBuffer(body)) {
      this.objects.set(key, Buffer.from(body));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
    this.objects.set(key, Buffer.concat(chunks));
  }

  async get(key: string): Promise<Buffer> {
    this.check();
    const v = this.objects.get(key);
    if (v === undefined) throw new SkiffError('NotFound', `${key} in ${this.location} not found`);
    return Buffer.from(v);
  }

  async getStream(key: string): Promise<Readable> {
    return Readable.from([await this.get(key)]);
  }

  async exists(key: string): Promise<boolean> {
    this.check();
    return this.objects.has(key);
  }

  async *list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    this.check();
    for (const [key, v] of [...this.objects].sort(([a], [b]) => (a < b ? -1 : 1))) if (key.startsWith(prefix)) yield { key, size: v.length };
  }

  async listPrefixes(prefix: string): Promise<string[]> {
    this.check();
    const dir = prefix === '' ? '' : prefix.replace(/\/*$/, '/');
    const names = new Set<string>();
    for (const key of this.objects.keys()) {
      if (!key.startsWith(dir)) continue;
      const slash = key.indexOf('/', dir.length);
      if (slash > dir.length) names.add(key.slice(dir.length, slash));
    }
    return [...names].sort();
  }

  async delete(key: string): Promise<void> {
    this.check();
    this.objects.delete(key);
  }

  async deletePrefix(prefix: string): Promise<number> {
    this.check();
    const dir = prefix.replace(/\/*$/, '/');
    if (dir === '/') throw new SkiffError('Permanent', `refusing to delete everything in ${this.location}`);
    let n = 0;
    for (const key of [...this.objects.keys()]) {
      if (key.startsWith(dir)) {
        this.objects.delete(key);
        n++;
      }
    }
    return n;
  }

  async presignGet(key: string, expiresSeconds: number): Promise<string> {
    this.check();
    return `${this.location}/${key}?expires=${expiresSeconds}`;
  }

  async validate(): Promise<void> {
    this.check();
  }

  async close(): Promise<void> {}
}
