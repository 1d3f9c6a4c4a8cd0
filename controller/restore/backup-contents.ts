// Reads a backup tarball (`<backup>.tar.gz`, layout in architecture.md) into items grouped by
// resource. Paths: `metadata/version`, `resources/<resource.group>/namespaces/<ns>/<name>.json`,
// `resources/<resource.group>/cluster/<name>.json`. Velero's per-version copies
// (`resources/<gr>/<version>[-preferredversion]/...`) are accepted and used only for items that have
// no version-less copy, preferring `-preferredversion`.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { PassThrough } from 'node:stream';
import { SkiffError } from '../../repository/index.ts';
import { readTar } from '../backup/index.ts';
import { isObject, type JsonObject } from './unstructured.ts';

export interface BackupItem {
  /** `<resource>.<group>`, or `<resource>` for the core group, e.g. `deployments.apps`, `pods` */
  readonly groupResource: string;
  /** source namespace; undefined for cluster-scoped items */
  readonly namespace: string | undefined;
  readonly name: string;
  readonly object: JsonObject;
}

export interface BackupContents {
  /** content of `metadata/version`, trimmed ('' when absent) */
  readonly formatVersion: string;
  /** groupResource → items, in archive order */
  readonly resources: ReadonlyMap<string, readonly BackupItem[]>;
  /** groupResource → the version recorded by a `<version>-preferredversion` directory */
  readonly versions: ReadonlyMap<string, string>;
  /** entries that could not be read (bad JSON, unexpected paths); restore reports them as warnings */
  readonly problems: readonly string[];
}

interface Located {
  readonly groupResource: string;
  readonly namespace: string | undefined;
  readonly name: string;
  /** 0 version-less, 1 `-preferredversion`, 2 another version */
  readonly rank: number;
  /** the version of a `<version>-preferredversion` path */
  readonly preferredVersion?: string;
}

/** Parses a resource path; undefined when the path is not an item. */
export function locateItem(path: string): Located | undefined {
  const parts = path.replace(/^\.?\/+/, '').split('/');
  if (parts[0] !== 'resources' || parts.length < 4) return undefined;
  const groupResource = parts[1] as string;
  let rest = parts.slice(2);
  let rank = 0;
  let preferred: { preferredVersion: string } | undefined;
  if (rest[0] !== 'namespaces' && rest[0] !== 'cluster') {
    const dir = rest[0] ?? '';
    rank = dir.endsWith('-preferredversion') ? 1 : 2;
    if (rank === 1) preferred = { preferredVersion: dir.slice(0, -'-preferredversion'.length) };
    rest = rest.slice(1);
  }
  const file = rest[rest.length - 1] ?? '';
  if (!file.endsWith('.json') || file.length <= 5) return undefined;
  const name = file.slice(0, -5);
  if (rest[0] === 'cluster' && rest.length === 2) return { groupResource, namespace: undefined, name, rank, ...preferred };
  if (rest[0] === 'namespaces' && rest.length === 3 && rest[1] !== '') return { groupResource, namespace: rest[1], name, rank, ...preferred };
  return undefined;
}

/** Reads a gzip-compressed backup tarball. Integrity errors (bad gzip or tar) reject. */
export async function readBackupTarball(gz: Readable): Promise<BackupContents> {
  const plain = new PassThrough();
  const piping = pipeline(gz, createGunzip(), plain);
  try {
    const result = await collect(plain);
    await piping;
    return result;
  } catch (err) {
    plain.destroy();
    await piping.catch(() => undefined);
    if (err instanceof SkiffError) throw err;
    throw new SkiffError('Integrity', `backup tarball is unreadable: ${(err as Error).message}`, { cause: err });
  }
}

async function collect(tar: AsyncIterable<Buffer>): Promise<BackupContents> {
  let formatVersion = '';
  const problems: string[] = [];
  const best = new Map<string, { rank: number; item: BackupItem }>();
  const versions = new Map<string, string>();
  for await (const entry of readTar(tar)) {
    const path = entry.path.replace(/^\.?\/+/, '');
    if (path === 'metadata/version') {
      formatVersion = entry.data.toString('utf8').trim();
      continue;
    }
    const loc = locateItem(path);
    if (loc === undefined) {
      if (path.startsWith('resources/')) problems.push(`unexpected entry ${path} in the backup tarball`);
      continue;
    }
    if (loc.preferredVersion !== undefined) versions.set(loc.groupResource, loc.preferredVersion);
    const key = `${loc.groupResource}\0${loc.namespace ?? ''}\0${loc.name}`;
    const prev = best.get(key);
    if (prev !== undefined && prev.rank <= loc.rank) continue;
    let object: unknown;
    try {
      object = JSON.parse(entry.data.toString('utf8'));
    } catch {
      problems.push(`entry ${path} is not valid JSON`);
      continue;
    }
    if (!isObject(object as JsonObject)) {
      problems.push(`entry ${path} is not a JSON object`);
      continue;
    }
    const item = { groupResource: loc.groupResource, namespace: loc.namespace, name: loc.name, object: object as JsonObject };
    best.set(key, { rank: loc.rank, item });
  }
  const resources = new Map<string, BackupItem[]>();
  for (const { item } of best.values()) {
    const list = resources.get(item.groupResource) ?? [];
    list.push(item);
    resources.set(item.groupResource, list);
  }
  return { formatVersion, resources, versions, problems };
}
