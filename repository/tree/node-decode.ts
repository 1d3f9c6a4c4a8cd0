/**
 * Reading a node from parsed tree JSON, as tolerant as Go's decoder (unknown keys ignored,
 * keys matched case-insensitively, missing fields zero) and strict where restore must be safe:
 * names are Go-unquoted to raw bytes and must be a single path component.
 */
import { SkiffError } from '../errors/errors.ts';
import { goUnquote } from './go-quote.ts';
import { ZERO_TIME } from './go-time.ts';
import { checkTime } from './go-time-fast.ts';
import { NODE_TYPES, VALID_CONTENT, type ExtendedAttribute, type Node, type NodeType } from './node.ts';

/** Keys whose numbers are uint64 and must be read as exact bigints. */
export const NODE_UINT64_KEYS: ReadonlySet<string> = new Set(['inode', 'device_id', 'size', 'links', 'device']);

const ID = /^[0-9a-fA-F]{64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function fail(what: string): SkiffError {
  return new SkiffError('Integrity', `tree contains ${what}`);
}

/** The object's keys lower-cased, later duplicates winning (Go's case-insensitive match). */
export function foldKeys(v: unknown, what: string): Map<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail(`${what} that is not an object`);
  const m = new Map<string, unknown>();
  for (const [k, val] of Object.entries(v)) m.set(k.toLowerCase(), val);
  return m;
}

/** Every key `decodeNode` reads, as Go's field names match them (lower case). */
const NODE_KEYS: ReadonlySet<string> = new Set([
  'name', 'type', 'mode', 'mtime', 'atime', 'ctime', 'uid', 'gid', 'user', 'group', 'inode', 'device_id', 'size',
  'links', 'linktarget', 'linktarget_raw', 'extended_attributes', 'device', 'content', 'subtree', 'error',
]);

type Fields = Readonly<Record<string, unknown>>;

/**
 * A node object whose keys can be looked up in lower case: the parsed object itself when every
 * key already is (what restic and Skiff write), else a copy with folded keys, later duplicates
 * winning (Go's case-insensitive match).
 */
function nodeFields(v: unknown): Fields {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail('a node that is not an object');
  const o = v as Record<string, unknown>;
  for (const k in o) {
    if (!NODE_KEYS.has(k) && k !== k.toLowerCase()) {
      const folded: Record<string, unknown> = Object.create(null);
      for (const [key, val] of Object.entries(o)) folded[key.toLowerCase()] = val;
      return folded;
    }
  }
  return o;
}

function str(o: Fields, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw fail(`a node whose ${key} is not a string`);
  return v;
}

function u32(o: Fields, key: string): number {
  const v = o[key];
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw fail(`a node whose ${key} ${JSON.stringify(v)} is not a uint32`);
  }
  return v;
}

function u64(o: Fields, key: string): bigint | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'bigint') throw fail(`a node whose ${key} is not a number`);
  return v;
}

function time(o: Fields, key: string): string {
  const v = str(o, key);
  if (v === undefined) return ZERO_TIME;
  checkTime(v);
  return v;
}

function bytes(v: string, what: string): Buffer {
  if (!BASE64.test(v)) throw fail(`${what} that is not base64`);
  return Buffer.from(v, 'base64');
}

const LOWER_ID = /^[0-9a-f]{64}$/;

function id(v: unknown, what: string): string {
  if (typeof v === 'string' && LOWER_ID.test(v)) return v;
  if (typeof v !== 'string' || !ID.test(v)) throw fail(`${what} that is not a 64-hex ID`);
  return v.toLowerCase();
}

function xattrs(v: unknown): ExtendedAttribute[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw fail('extended_attributes that are not a list');
  return v.map((item: unknown) => {
    const a = foldKeys(item, 'an extended attribute');
    const name = a.get('name') ?? '';
    const value = a.get('value') ?? null;
    if (typeof name !== 'string') throw fail('an extended attribute name that is not a string');
    if (value !== null && typeof value !== 'string') throw fail('an extended attribute value that is not base64');
    return { name, value: value === null ? Buffer.alloc(0) : bytes(value, 'an extended attribute value') };
  });
}

/** Throws `Integrity` unless `name` is one safe path component. */
export function checkName(name: Buffer): void {
  const bad =
    name.length === 0 ||
    name.includes(0x2f) ||
    name.includes(0) ||
    (name.length === 1 && name[0] === 0x2e) ||
    (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e);
  if (bad) throw fail(`invalid name ${JSON.stringify(name.toString('latin1'))}`);
}

/** One node from its parsed JSON object (uint64 keys already bigints, §9.2). */
export function decodeNode(raw: unknown): Node {
  const o = nodeFields(raw);
  const name = goUnquote(str(o, 'name') ?? '');
  checkName(name);
  const type = str(o, 'type');
  if (type === undefined || !(NODE_TYPES as readonly string[]).includes(type)) {
    throw fail(`node ${JSON.stringify(name.toString())} with invalid type ${JSON.stringify(type ?? '')}`);
  }
  const node: Node = {
    name,
    type: type as NodeType,
    mode: u32(o, 'mode'),
    mtime: time(o, 'mtime'),
    atime: time(o, 'atime'),
    ctime: time(o, 'ctime'),
    uid: u32(o, 'uid'),
    gid: u32(o, 'gid'),
    content: null,
  };
  // Optional fields are set only when present, in this order (it is the order callers see in
  // Object.keys, and tests compare whole nodes).
  const user = str(o, 'user');
  if (user) node.user = user;
  const group = str(o, 'group');
  if (group) node.group = group;
  const inode = u64(o, 'inode');
  if (inode !== undefined) node.inode = inode;
  const deviceId = u64(o, 'device_id');
  if (deviceId !== undefined) node.deviceId = deviceId;
  const size = u64(o, 'size');
  if (size !== undefined) node.size = size;
  const links = u64(o, 'links');
  if (links !== undefined) node.links = links;
  const extendedAttributes = xattrs(o['extended_attributes']);
  if (extendedAttributes !== undefined) node.extendedAttributes = extendedAttributes;
  const device = u64(o, 'device');
  if (device !== undefined) node.device = device;
  const error = str(o, 'error');
  if (error) node.error = error;
  const raw64 = str(o, 'linktarget_raw');
  if (raw64 !== undefined) {
    const target = bytes(raw64, 'a linktarget_raw');
    if (target.length > 0) node.linktarget = target;
  } else {
    const target = str(o, 'linktarget');
    if (target) node.linktarget = Buffer.from(target, 'utf8');
  }
  const content = o['content'];
  if (content !== undefined && content !== null) {
    if (!Array.isArray(content)) throw fail('a node whose content is not a list');
    node.content = content.map((c: unknown) => id(c, 'a content entry'));
    VALID_CONTENT.add(node.content);
  }
  const subtree = o['subtree'];
  if (subtree !== undefined && subtree !== null) node.subtree = id(subtree, 'a subtree');
  return node;
}
