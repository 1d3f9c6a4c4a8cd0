/**
 * The layout of `<backup>.tar.gz`, Velero's format 1.1.0 (velero-reference.md §2):
 *   metadata/version                                         "1.1.0\n"
 *   resources/<resource.group>/namespaces/<ns>/<name>.json   every namespaced item
 *   resources/<resource.group>/cluster/<name>.json           every cluster-scoped item
 *   resources/<resource.group>/<version>-preferredversion/{namespaces/<ns>|cluster}/<name>.json
 *                                                            the same bytes again, recording the version
 * Core resources have no group suffix (`pods`, `persistentvolumes`). Items are the objects as
 * the API server serves them at the group's preferred version, JSON without indentation.
 */
import type { Writable } from 'node:stream';
import { groupResource } from './cluster-reader.ts';
import type { CollectedItem } from './collect.ts';
import { TarWriter } from './tar-writer.ts';

export const FORMAT_VERSION = '1.1.0';
export const VERSION_FILE = 'metadata/version';
const PREFERRED_SUFFIX = '-preferredversion';

type ItemKey = Pick<CollectedItem, 'group' | 'resource' | 'version' | 'name'> & { readonly namespace?: string | undefined };

/** The two paths an item is written under: the version-less one, then the preferred-version one. */
export function itemPaths(item: ItemKey): { legacy: string; preferred: string } {
  const gr = groupResource({ group: item.group, name: item.resource });
  const scope = item.namespace === undefined ? `cluster/${item.name}.json` : `namespaces/${item.namespace}/${item.name}.json`;
  return { legacy: `resources/${gr}/${scope}`, preferred: `resources/${gr}/${item.version}${PREFERRED_SUFFIX}/${scope}` };
}

export interface ParsedItemPath {
  /** `deployments.apps`, `pods` */
  readonly groupResource: string;
  /** the version directory (`v1` for `v1-preferredversion`), absent on the legacy path */
  readonly version?: string;
  readonly preferred: boolean;
  readonly namespace?: string;
  readonly name: string;
}

/** Reads an item path back; undefined for anything that is not an item (metadata/version). */
export function parseItemPath(path: string): ParsedItemPath | undefined {
  const p = path.split('/');
  if (p[0] !== 'resources' || p.length < 4 || !path.endsWith('.json')) return undefined;
  const gr = p[1] ?? '';
  let i = 2;
  let version: string | undefined;
  if (p[i] !== 'namespaces' && p[i] !== 'cluster') version = p[i++];
  const scope = p[i];
  const file = p[p.length - 1] ?? '';
  const name = file.slice(0, -'.json'.length);
  const preferred = version?.endsWith(PREFERRED_SUFFIX) === true;
  const v = preferred ? version?.slice(0, -PREFERRED_SUFFIX.length) : version;
  const base = { groupResource: gr, preferred, name, ...(v === undefined ? {} : { version: v }) };
  if (scope === 'cluster' && p.length === i + 2) return base;
  if (scope === 'namespaces' && p.length === i + 3) return { ...base, namespace: p[i + 1] ?? '' };
  return undefined;
}

/** Writes a backup tarball (uncompressed; gzip is the caller's) to `out`, entry by entry. */
export class TarballWriter {
  readonly #tar: TarWriter;
  readonly #mtime: number;
  #started = false;

  constructor(out: Writable, opts: { mtimeSeconds?: number; signal?: AbortSignal } = {}) {
    this.#tar = new TarWriter(out, opts.signal ? { signal: opts.signal } : {});
    this.#mtime = opts.mtimeSeconds ?? 0;
  }

  async #start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.#tar.add(VERSION_FILE, Buffer.from(`${FORMAT_VERSION}\n`), { mtime: this.#mtime });
  }

  async add(item: CollectedItem): Promise<void> {
    await this.#start();
    const data = Buffer.from(JSON.stringify(item.object));
    const { legacy, preferred } = itemPaths(item);
    await this.#tar.add(legacy, data, { mtime: this.#mtime });
    await this.#tar.add(preferred, data, { mtime: this.#mtime });
  }

  async finish(): Promise<void> {
    await this.#start();
    await this.#tar.finish();
  }
}
