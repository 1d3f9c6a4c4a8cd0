import type { Handle, LoadIntoOptions, Storage } from './storage.ts';

/**
 * Reads `into.length` bytes at `opts.offset` of an object into `into`: the storage's own
 * `loadInto` when it has one, else `load` and a copy (a storage written outside this folder).
 */
export async function loadInto(storage: Storage, h: Handle, into: Uint8Array, opts: LoadIntoOptions = {}): Promise<void> {
  if (storage.loadInto) return storage.loadInto(h, into, opts);
  into.set(await storage.load(h, { ...opts, length: into.length }));
}
