/**
 * Snapshot JSON (restic-format.md §8): restic's field order and omitempty rules, compact, no
 * trailing newline. `program_version` and `summary` are newer restic's fields, ignored by 0.14.
 */
import { SkiffError } from '../errors/errors.ts';
import { goJSONString } from './go-json.ts';
import { canonicalRFC3339, parseRFC3339Nano } from './go-time.ts';
import { foldKeys } from './node-decode.ts';

export interface SnapshotSummary {
  backupStart: string;
  backupEnd: string;
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  dirsNew: number;
  dirsChanged: number;
  dirsUnmodified: number;
  dataBlobs: number;
  treeBlobs: number;
  dataAdded: number;
  dataAddedPacked: number;
  totalFilesProcessed: number;
  totalBytesProcessed: number;
}

export interface Snapshot {
  /** RFC 3339 nano, local time with offset as restic writes it. */
  time: string;
  parent?: string;
  tree: string;
  paths: string[];
  hostname?: string;
  username?: string;
  uid?: number;
  gid?: number;
  excludes?: string[];
  tags?: string[];
  original?: string;
  programVersion?: string;
  summary?: SnapshotSummary;
}

const SUMMARY_COUNTS = [
  ['filesNew', 'files_new'],
  ['filesChanged', 'files_changed'],
  ['filesUnmodified', 'files_unmodified'],
  ['dirsNew', 'dirs_new'],
  ['dirsChanged', 'dirs_changed'],
  ['dirsUnmodified', 'dirs_unmodified'],
  ['dataBlobs', 'data_blobs'],
  ['treeBlobs', 'tree_blobs'],
  ['dataAdded', 'data_added'],
  ['dataAddedPacked', 'data_added_packed'],
  ['totalFilesProcessed', 'total_files_processed'],
  ['totalBytesProcessed', 'total_bytes_processed'],
] as const;

const ID = /^[0-9a-f]{64}$/;
const ANY_CASE_ID = /^[0-9a-fA-F]{64}$/;

function bad(what: string): SkiffError {
  return new SkiffError('Integrity', `snapshot ${what}`);
}

function id(v: string, what: string): string {
  if (!ID.test(v)) throw bad(`${what} ${JSON.stringify(v)} is not a 64-hex ID`);
  return `"${v}"`;
}

function strings(list: readonly string[]): string {
  return `[${list.map(goJSONString).join(',')}]`;
}

function count(v: number, what: string): number {
  if (!Number.isSafeInteger(v)) throw bad(`${what} ${v} is not an integer`);
  return v;
}

function encodeSummary(s: SnapshotSummary): string {
  let out = `{"backup_start":"${canonicalRFC3339(s.backupStart)}","backup_end":"${canonicalRFC3339(s.backupEnd)}"`;
  for (const [k, json] of SUMMARY_COUNTS) out += `,"${json}":${count(s[k], json)}`;
  return out + '}';
}

/** The snapshot file's JSON payload (before compression and encryption). */
export function encodeSnapshot(s: Snapshot): Buffer {
  let out = `{"time":"${canonicalRFC3339(s.time)}"`;
  if (s.parent !== undefined) out += `,"parent":${id(s.parent, 'parent')}`;
  out += `,"tree":${id(s.tree, 'tree')},"paths":${strings(s.paths)}`;
  if (s.hostname) out += `,"hostname":${goJSONString(s.hostname)}`;
  if (s.username) out += `,"username":${goJSONString(s.username)}`;
  for (const key of ['uid', 'gid'] as const) {
    const v = s[key];
    if (v === undefined || v === 0) continue;
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw bad(`${key} ${v} is not a uint32`);
    out += `,"${key}":${v}`;
  }
  if (s.excludes !== undefined && s.excludes.length > 0) out += `,"excludes":${strings(s.excludes)}`;
  if (s.tags !== undefined && s.tags.length > 0) out += `,"tags":${strings(s.tags)}`;
  if (s.original !== undefined) out += `,"original":${id(s.original, 'original')}`;
  if (s.programVersion) out += `,"program_version":${goJSONString(s.programVersion)}`;
  if (s.summary !== undefined) out += `,"summary":${encodeSummary(s.summary)}`;
  return Buffer.from(out + '}', 'utf8');
}

function optString(o: Map<string, unknown>, key: string): string | undefined {
  const v = o.get(key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw bad(`${key} is not a string`);
  return v;
}

function optId(o: Map<string, unknown>, key: string): string | undefined {
  const v = optString(o, key);
  if (v !== undefined && !ANY_CASE_ID.test(v)) throw bad(`${key} is not a 64-hex ID`);
  return v?.toLowerCase();
}

function optStrings(o: Map<string, unknown>, key: string): string[] | undefined {
  const v = o.get(key);
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw bad(`${key} is not a list of strings`);
  return v as string[];
}

function optUint32(o: Map<string, unknown>, key: string): number | undefined {
  const v = o.get(key);
  if (v === undefined || v === null || v === 0) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw bad(`${key} is not a uint32`);
  return v;
}

function decodeSummary(v: unknown): SnapshotSummary {
  const o = foldKeys(v, 'a summary');
  const time = (key: string): string => {
    const t = optString(o, key) ?? '0001-01-01T00:00:00Z';
    parseRFC3339Nano(t);
    return t;
  };
  const s: Record<string, number | string> = { backupStart: time('backup_start'), backupEnd: time('backup_end') };
  for (const [k, json] of SUMMARY_COUNTS) {
    const n = o.get(json) ?? 0;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw bad(`summary ${json} is not an integer`);
    s[k] = n;
  }
  return s as unknown as SnapshotSummary;
}

/** A snapshot from its JSON payload; `Integrity` when the tree is missing or a field is malformed. */
export function decodeSnapshot(json: Uint8Array | string): Snapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof json === 'string' ? json : new TextDecoder().decode(json));
  } catch (err) {
    throw new SkiffError('Integrity', `snapshot is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const o = foldKeys(parsed, 'a top level');
  const time = optString(o, 'time') ?? '0001-01-01T00:00:00Z';
  parseRFC3339Nano(time);
  const tree = optId(o, 'tree');
  if (tree === undefined) throw bad('has no tree');
  const snap: Snapshot = { time, tree, paths: optStrings(o, 'paths') ?? [] };
  const fields = {
    parent: optId(o, 'parent'),
    hostname: optString(o, 'hostname'),
    username: optString(o, 'username'),
    uid: optUint32(o, 'uid'),
    gid: optUint32(o, 'gid'),
    excludes: optStrings(o, 'excludes'),
    tags: optStrings(o, 'tags'),
    original: optId(o, 'original'),
    programVersion: optString(o, 'program_version'),
    summary: o.get('summary') == null ? undefined : decodeSummary(o.get('summary')),
  };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) Object.assign(snap, { [k]: v });
  return snap;
}
