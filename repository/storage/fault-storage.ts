import { SkiffError } from '../errors/errors.ts';
import { loadInto } from './load-into.ts';
import type { FileInfo, FileType, Handle, LoadIntoOptions, LoadOptions, SaveOptions, Storage } from './storage.ts';

export type FaultOp = 'create' | 'save' | 'load' | 'stat' | 'list' | 'remove';

export interface FaultOptions {
  /** fraction of calls (of the chosen kinds) that fail, 0..1 */
  readonly failRate: number;
  /** PRNG seed: the same seed and call order give the same faults */
  readonly seed: number;
  /** operations that may fail; default all but `create` */
  readonly kinds?: readonly FaultOp[];
  /**
   * When a save or remove fails, half the time perform it on the inner storage first and then
   * throw, as when the server did the work but the response was lost. Default false.
   */
  readonly lostResponses?: boolean;
}

/**
 * Wraps a storage and throws `Transient` errors on a deterministic fraction of calls, for testing
 * retries and recovery. A failing `list` yields a random part of the listing before it throws.
 */
export class FaultStorage implements Storage {
  readonly location: string;
  readonly connections: number;
  readonly readBytes?: number;
  readonly contentMd5?: boolean;
  /** number of faults injected so far */
  faults = 0;
  private readonly inner: Storage;
  private readonly opts: FaultOptions;
  private readonly kinds: ReadonlySet<FaultOp>;
  private readonly random: () => number;

  constructor(inner: Storage, opts: FaultOptions) {
    this.inner = inner;
    this.opts = opts;
    this.location = inner.location;
    this.connections = inner.connections;
    if (inner.readBytes !== undefined) this.readBytes = inner.readBytes;
    if (inner.contentMd5 !== undefined) this.contentMd5 = inner.contentMd5;
    this.kinds = new Set(opts.kinds ?? ['save', 'load', 'stat', 'list', 'remove']);
    this.random = mulberry32(opts.seed);
  }

  async create(): Promise<void> {
    this.maybeFail('create', 'config');
    return this.inner.create();
  }

  async save(h: Handle, data: Uint8Array, opts?: SaveOptions): Promise<void> {
    if (this.shouldFail('save')) {
      if (this.opts.lostResponses === true && this.random() < 0.5) await this.inner.save(h, data, opts);
      throw this.fault('save', h);
    }
    return this.inner.save(h, data, opts);
  }

  async load(h: Handle, opts?: LoadOptions): Promise<Buffer> {
    this.maybeFail('load', h);
    return this.inner.load(h, opts);
  }

  async loadInto(h: Handle, into: Uint8Array, opts?: LoadIntoOptions): Promise<void> {
    this.maybeFail('load', h);
    return loadInto(this.inner, h, into, opts);
  }

  async stat(h: Handle): Promise<FileInfo> {
    this.maybeFail('stat', h);
    return this.inner.stat(h);
  }

  async *list(type: FileType, opts?: { signal?: AbortSignal }): AsyncIterable<FileInfo> {
    const failAfter = this.shouldFail('list') ? Math.floor(this.random() * 4) : -1;
    let n = 0;
    for await (const info of this.inner.list(type, opts)) {
      if (n === failAfter) throw this.fault('list', type);
      n++;
      yield info;
    }
    if (failAfter >= 0) throw this.fault('list', type);
  }

  async remove(h: Handle): Promise<void> {
    if (this.shouldFail('remove')) {
      if (this.opts.lostResponses === true && this.random() < 0.5) await this.inner.remove(h);
      throw this.fault('remove', h);
    }
    return this.inner.remove(h);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private shouldFail(op: FaultOp): boolean {
    return this.kinds.has(op) && this.random() < this.opts.failRate;
  }

  private maybeFail(op: FaultOp, what: Handle | string): void {
    if (this.shouldFail(op)) throw this.fault(op, what);
  }

  private fault(op: FaultOp, what: Handle | string): SkiffError {
    this.faults++;
    const name = typeof what === 'string' ? what : `${what.type} ${what.name.slice(0, 12)}`;
    return new SkiffError('Transient', `injected fault: ${op} of ${name} in ${this.location}`);
  }
}

/** Small deterministic PRNG (mulberry32), uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
