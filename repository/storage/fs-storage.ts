import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import type { Dirent } from 'node:fs';
import { chmod, link, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { SkiffError } from '../errors/errors.ts';
import { errnoCode, mapFsError } from './fs-errors.ts';
import { resolveRange, shortRead, throwIfAborted } from './load-range.ts';
import { FILE_TYPES, isId, layoutDir, layoutPath } from './storage.ts';
import type { FileInfo, FileType, Handle, LoadIntoOptions, LoadOptions, SaveOptions, Storage } from './storage.ts';

const FILE_MODE = 0o400;
const DIR_MODE = 0o700;
/** errors meaning "this filesystem cannot hard-link"; we then fall back to stat + rename */
const NO_LINK = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

export interface FsStorageOptions {
  /** default 2 */
  readonly connections?: number;
}

/**
 * A repository in a local directory, written the way restic's local backend writes it:
 * temp file `<final>-tmp-<random>` in the same dir, fsync, atomic publish, fsync dir, mode 0400.
 * Publishing uses link(2) so an existing object is never replaced unless `overwrite` is set.
 */
export class FsStorage implements Storage {
  readonly location: string;
  readonly connections: number;

  constructor(dir: string, opts: FsStorageOptions = {}) {
    this.location = path.resolve(dir);
    this.connections = opts.connections ?? 2;
  }

  async create(): Promise<void> {
    if (await this.exists('config')) {
      throw new SkiffError('Conflict', `a repository already exists at ${this.location}`);
    }
    try {
      await mkdir(this.location, { recursive: true, mode: DIR_MODE });
      for (const type of FILE_TYPES) {
        if (type !== 'config') await mkdir(this.abs(layoutDir(type)), { recursive: true, mode: DIR_MODE });
      }
      for (let i = 0; i < 256; i++) {
        await mkdir(this.abs(`data/${i.toString(16).padStart(2, '0')}`), { recursive: true, mode: DIR_MODE });
      }
    } catch (err) {
      throw mapFsError(err, `creating ${this.location}`);
    }
  }

  async save(h: Handle, data: Uint8Array, opts: SaveOptions = {}): Promise<void> {
    throwIfAborted(opts.signal);
    const rel = layoutPath(h);
    const final = this.abs(rel);
    const tmp = `${final}-tmp-${randomBytes(8).toString('hex')}`;
    try {
      await writeTemp(tmp, data);
      try {
        await this.publish(tmp, final, rel, data, opts.overwrite === true);
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
      await fsyncDir(path.dirname(final));
    } catch (err) {
      throw mapFsError(err, `${rel} in ${this.location}`);
    }
  }

  async load(h: Handle, opts: LoadOptions = {}): Promise<Buffer> {
    let buf = Buffer.alloc(0);
    await this.read(h, opts, (size) => {
      const { start, end } = resolveRange(size, opts, layoutPath(h));
      buf = Buffer.allocUnsafe(end - start);
      return { start, into: buf };
    });
    return buf;
  }

  async loadInto(h: Handle, into: Uint8Array, opts: LoadIntoOptions = {}): Promise<void> {
    await this.read(h, opts, (size) => ({ start: resolveRange(size, { ...opts, length: into.length }, layoutPath(h)).start, into }));
  }

  /** Opens the object, asks `where` (given its size) what to read into what, and fills that. */
  private async read(h: Handle, opts: { signal?: AbortSignal | undefined }, where: (size: number) => { start: number; into: Uint8Array }): Promise<void> {
    throwIfAborted(opts.signal);
    const rel = layoutPath(h);
    let fh: FileHandle | undefined;
    try {
      fh = await open(this.abs(rel), 'r');
      const { size } = await fh.stat();
      const { start, into } = where(size);
      let done = 0;
      while (done < into.length) {
        throwIfAborted(opts.signal);
        const { bytesRead } = await fh.read(into, done, into.length - done, start + done);
        if (bytesRead === 0) throw shortRead(rel, into.length, done);
        done += bytesRead;
      }
    } catch (err) {
      throw mapFsError(err, `${rel} in ${this.location}`);
    } finally {
      await fh?.close();
    }
  }

  async stat(h: Handle): Promise<FileInfo> {
    const rel = layoutPath(h);
    try {
      const st = await stat(this.abs(rel));
      return { name: h.name, size: st.size };
    } catch (err) {
      throw mapFsError(err, `${rel} in ${this.location}`);
    }
  }

  async *list(type: FileType, opts: { signal?: AbortSignal } = {}): AsyncIterable<FileInfo> {
    if (type === 'config') return;
    const dir = layoutDir(type);
    if (type !== 'data') {
      yield* this.listDir(dir, opts.signal);
      return;
    }
    for (const sub of await this.readDir(dir)) {
      if (sub.isDirectory()) yield* this.listDir(`${dir}/${sub.name}`, opts.signal);
    }
  }

  async remove(h: Handle): Promise<void> {
    const rel = layoutPath(h);
    const file = this.abs(rel);
    try {
      await chmod(file, 0o600);
      await unlink(file);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return;
      throw mapFsError(err, `removing ${rel} in ${this.location}`);
    }
  }

  async close(): Promise<void> {}

  private abs(rel: string): string {
    return path.join(this.location, rel);
  }

  private async exists(rel: string): Promise<boolean> {
    try {
      await stat(this.abs(rel));
      return true;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw mapFsError(err, `${rel} in ${this.location}`);
    }
  }

  /** Moves the finished temp file to its final name; equal bytes already there count as success. */
  private async publish(tmp: string, final: string, rel: string, data: Uint8Array, overwrite: boolean): Promise<void> {
    if (overwrite) {
      await rename(tmp, final);
      return;
    }
    try {
      await link(tmp, final);
      return;
    } catch (err) {
      const code = errnoCode(err);
      if (code !== 'EEXIST' && (code === undefined || !NO_LINK.has(code))) throw err;
    }
    if (await this.exists(rel)) {
      if (!(await sameContent(final, data))) {
        throw new SkiffError('Conflict', `${rel} already exists in ${this.location} with different content`);
      }
      return;
    }
    await rename(tmp, final);
  }

  private async readDir(rel: string): Promise<Dirent[]> {
    try {
      return await readdir(this.abs(rel), { withFileTypes: true });
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw mapFsError(err, `listing ${rel} in ${this.location}`);
    }
  }

  private async *listDir(rel: string, signal: AbortSignal | undefined): AsyncIterable<FileInfo> {
    for (const entry of await this.readDir(rel)) {
      throwIfAborted(signal);
      if (!entry.isFile() || !isId(entry.name)) continue;
      try {
        const st = await stat(this.abs(`${rel}/${entry.name}`));
        yield { name: entry.name, size: st.size };
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw mapFsError(err, `${rel}/${entry.name} in ${this.location}`);
      }
    }
  }
}

async function writeTemp(tmp: string, data: Uint8Array): Promise<void> {
  let fh: FileHandle;
  try {
    fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
    await mkdir(path.dirname(tmp), { recursive: true, mode: DIR_MODE });
    fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  }
  try {
    await fh.writeFile(data);
    await fh.sync();
    await fh.chmod(FILE_MODE);
  } finally {
    await fh.close();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (err) {
    // some filesystems refuse fsync on directories; the rename is still durable enough there
    if (!['EINVAL', 'ENOTSUP', 'EISDIR', 'EBADF'].includes(errnoCode(err) ?? '')) throw err;
  } finally {
    await fh.close();
  }
}

async function sameContent(file: string, data: Uint8Array): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    if (size !== data.length) return false;
    return Buffer.from(await fh.readFile()).equals(data);
  } finally {
    await fh.close();
  }
}
