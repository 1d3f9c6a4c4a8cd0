/** Shared helpers for this folder's tests (not exported from index.ts). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listXattrs, nativeAvailable, nativeLoadError, setXattr, type PathArg } from './native.ts';

/** In CI the addon must have been built; locally its absence skips tests loudly. */
export function nativeOrSkip(): boolean {
  if (nativeAvailable()) return true;
  if (process.env['CI'] === 'true') return true; // run, and let the assertions fail
  console.warn(`SKIPPING native fs tests: ${nativeLoadError()}`);
  return false;
}

export async function withTmpDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'skiff-fs-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Whether user.* xattrs work on files in `dir`'s filesystem. */
export async function userXattrsSupported(file: PathArg): Promise<boolean> {
  if (!nativeAvailable()) return false;
  try {
    await setXattr(file, 'user.skiff-probe', Buffer.from('1'));
    return (await listXattrs(file)).some((n) => n.toString() === 'user.skiff-probe');
  } catch {
    return false;
  }
}

export const isRoot = process.geteuid?.() === 0;
