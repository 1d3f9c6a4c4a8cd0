/**
 * A tree node and its JSON encoding, byte-identical to restic 0.14 (restic-format.md §9.2):
 * Go's field order, omitempty rules, name quoting and string escaping.
 */
import { SkiffError } from '../errors/errors.ts';
import { goJSONBytes, goJSONString } from './go-json.ts';
import { goQuote } from './go-quote.ts';
import { canonicalRFC3339 } from './go-time.ts';
import { TIME_CANONICAL, timeShape } from './go-time-fast.ts';
import { isValidUtf8 } from './utf8.ts';

export type NodeType = 'file' | 'dir' | 'symlink' | 'dev' | 'chardev' | 'fifo' | 'socket';

export const NODE_TYPES: readonly NodeType[] = ['file', 'dir', 'symlink', 'dev', 'chardev', 'fifo', 'socket'];

export interface ExtendedAttribute {
  name: string;
  value: Buffer;
}

export interface Node {
  /** Raw name bytes (file names need not be UTF-8). */
  name: Buffer;
  type: NodeType;
  /** Go os.FileMode (§11), an unsigned 32-bit integer. */
  mode: number;
  /** RFC 3339 nano strings (§9.5), written in Go's canonical form. */
  mtime: string;
  atime: string;
  ctime: string;
  uid: number;
  gid: number;
  user?: string;
  group?: string;
  inode?: bigint;
  deviceId?: bigint;
  size?: bigint;
  links?: bigint;
  /** Raw symlink target bytes. */
  linktarget?: Buffer;
  extendedAttributes?: ExtendedAttribute[];
  device?: bigint;
  /** Data blob IDs; `[]` for an empty file, `null` for every other type. */
  content: string[] | null;
  /** Child tree ID; required for `dir`. */
  subtree?: string;
  error?: string;
}

const ID = /^[0-9a-f]{64}$/;

/**
 * Content lists whose IDs were checked when they were read, or made from hashes: encoding them
 * skips the per-ID check. An unchanged file's list is shared between the parent snapshot's node
 * and the new one, so a no-change backup checks each ID once. Lists in it are never mutated.
 */
export const VALID_CONTENT = new WeakSet<readonly string[]>();
const UINT64_MAX = (1n << 64n) - 1n;

function invalid(node: Node, what: string): SkiffError {
  return new SkiffError('Integrity', `cannot encode node ${JSON.stringify(goQuote(node.name))}: ${what}`);
}

function uint32(node: Node, key: string, v: number): string {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw invalid(node, `${key} ${v} is not a uint32`);
  return String(v);
}

function uint64Field(node: Node, key: string, v: bigint | undefined): string {
  if (v === undefined || v === 0n) return '';
  if (v < 0n || v > UINT64_MAX) throw invalid(node, `${key} ${v} is not a uint64`);
  return `,"${key}":${v}`;
}

function id(node: Node, v: string): string {
  if (!ID.test(v)) throw invalid(node, `${JSON.stringify(v)} is not a 64-hex ID`);
  return `"${v}"`;
}

/**
 * The JSON literal of a name as restic writes it: Go-quoted, then JSON-encoded. Printable ASCII
 * other than `"`, `\`, `<`, `>` and `&` passes both unchanged: the usual name takes that path.
 */
export function nameLiteral(name: Buffer): string {
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) return goJSONString(goQuote(name));
  }
  return '"' + name.toString('latin1') + '"';
}

function contentList(node: Node): string {
  const c = node.content;
  if (c === null) return 'null';
  if (c.length === 0) return '[]';
  if (VALID_CONTENT.has(c)) return `["${c.join('","')}"]`;
  return `[${c.map((v) => id(node, v)).join(',')}]`;
}

function time(node: Node, key: string, v: string): string {
  if (timeShape(v) === TIME_CANONICAL) return `,"${key}":"${v}"`;
  try {
    return `,"${key}":"${canonicalRFC3339(v)}"`;
  } catch {
    throw invalid(node, `${key} ${JSON.stringify(v)} is not an RFC 3339 time`);
  }
}

function linkTarget(node: Node): string {
  const t = node.linktarget;
  if (t === undefined || t.length === 0) return '';
  const s = `,"linktarget":${goJSONBytes(t)}`;
  // restic ≥ 0.16 also stores the exact bytes when they are not UTF-8; 0.14 ignores the key.
  return isValidUtf8(t) ? s : `${s},"linktarget_raw":"${t.toString('base64')}"`;
}

function xattrs(node: Node): string {
  const list = node.extendedAttributes;
  if (list === undefined || list.length === 0) return '';
  const items = list.map((a) => `{"name":${goJSONString(a.name)},"value":"${a.value.toString('base64')}"}`);
  return `,"extended_attributes":[${items.join(',')}]`;
}

/** The compact JSON restic 0.14 writes for `node` (no trailing newline). */
export function encodeNode(node: Node): string {
  if (!NODE_TYPES.includes(node.type)) throw invalid(node, `unknown type ${JSON.stringify(node.type)}`);
  if (node.type === 'file' && node.content === null) throw invalid(node, 'a file needs content ([] when empty)');
  if (node.type === 'dir' && node.subtree === undefined) throw invalid(node, 'a dir needs a subtree');
  let s = `{"name":${nameLiteral(node.name)},"type":"${node.type}"`;
  if (node.mode !== 0) s += `,"mode":${uint32(node, 'mode', node.mode)}`;
  const mtime = time(node, 'mtime', node.mtime);
  s += mtime + (node.atime === node.mtime ? ',"atime"' + mtime.slice(8) : time(node, 'atime', node.atime)) + time(node, 'ctime', node.ctime);
  s += `,"uid":${uint32(node, 'uid', node.uid)},"gid":${uint32(node, 'gid', node.gid)}`;
  if (node.user) s += `,"user":${goJSONString(node.user)}`;
  if (node.group) s += `,"group":${goJSONString(node.group)}`;
  s += uint64Field(node, 'inode', node.inode);
  s += uint64Field(node, 'device_id', node.deviceId);
  s += uint64Field(node, 'size', node.size);
  s += uint64Field(node, 'links', node.links);
  s += linkTarget(node);
  s += xattrs(node);
  s += uint64Field(node, 'device', node.device);
  s += `,"content":${contentList(node)}`;
  if (node.subtree !== undefined) s += `,"subtree":${id(node, node.subtree)}`;
  if (node.error) s += `,"error":${goJSONString(node.error)}`;
  return s + '}';
}
