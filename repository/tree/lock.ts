/**
 * Lock file JSON (restic-format.md §10): compact, no trailing newline, uid/gid omitted when 0.
 */
import { SkiffError } from '../errors/errors.ts';
import { goJSONString } from './go-json.ts';
import { canonicalRFC3339, parseRFC3339Nano } from './go-time.ts';
import { foldKeys } from './node-decode.ts';

export interface LockInfo {
  /** RFC 3339 nano; a lock older than 30 minutes is stale. */
  time: string;
  exclusive: boolean;
  hostname: string;
  username: string;
  pid: number;
  uid?: number;
  gid?: number;
}

function bad(what: string): SkiffError {
  return new SkiffError('Integrity', `lock ${what}`);
}

function uint32(v: number, key: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw bad(`${key} ${v} is not a uint32`);
  return v;
}

/** The lock file's JSON payload. */
export function encodeLock(l: LockInfo): Buffer {
  if (!Number.isSafeInteger(l.pid)) throw bad(`pid ${l.pid} is not an integer`);
  let s = `{"time":"${canonicalRFC3339(l.time)}","exclusive":${l.exclusive ? 'true' : 'false'}`;
  s += `,"hostname":${goJSONString(l.hostname)},"username":${goJSONString(l.username)},"pid":${l.pid}`;
  if (l.uid) s += `,"uid":${uint32(l.uid, 'uid')}`;
  if (l.gid) s += `,"gid":${uint32(l.gid, 'gid')}`;
  return Buffer.from(s + '}', 'utf8');
}

/** A lock from its JSON payload; `Integrity` when a field has the wrong type. */
export function decodeLock(json: Uint8Array | string): LockInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof json === 'string' ? json : new TextDecoder().decode(json));
  } catch (err) {
    throw new SkiffError('Integrity', `lock is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const o = foldKeys(parsed, 'a lock');
  const get = <T>(key: string, type: string, zero: T): T => {
    const v = o.get(key);
    if (v === undefined || v === null) return zero;
    if (typeof v !== type) throw bad(`${key} is not a ${type}`);
    return v as T;
  };
  const time = get('time', 'string', '0001-01-01T00:00:00Z');
  parseRFC3339Nano(time);
  const pid = get('pid', 'number', 0);
  if (!Number.isSafeInteger(pid)) throw bad('pid is not an integer');
  const lock: LockInfo = {
    time,
    exclusive: get('exclusive', 'boolean', false),
    hostname: get('hostname', 'string', ''),
    username: get('username', 'string', ''),
    pid,
  };
  const uid = uint32(get('uid', 'number', 0), 'uid');
  const gid = uint32(get('gid', 'number', 0), 'gid');
  if (uid !== 0) lock.uid = uid;
  if (gid !== 0) lock.gid = gid;
  return lock;
}
