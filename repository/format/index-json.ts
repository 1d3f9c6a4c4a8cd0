import { SkiffError } from '../errors/errors.ts';
import { isLowerHexId, isRecord, parseHexId, parseJSON } from './ids.ts';
import type { BlobType } from './pack-header.ts';

export interface IndexBlob {
  id: string;
  type: BlobType;
  offset: number;
  length: number;
  /** Present and > 0 only for compressed blobs. */
  uncompressedLength?: number;
}

export interface IndexPack {
  id: string;
  blobs: IndexBlob[];
}

/** An index file's JSON (§7). IDs are 64-digit lowercase hex. */
export interface IndexFile {
  supersedes?: string[];
  packs: IndexPack[];
}

const U32_MAX = 0xffff_ffff;

function checkId(id: string, what: string): string {
  if (!isLowerHexId(id)) throw new SkiffError('Permanent', `${what} is not a lowercase 64-digit hex ID`);
  return id;
}

/** A blob as `encodeIndexJSON` takes it: the ID as lowercase hex or as its 32 raw bytes. */
export interface EncodableBlob {
  readonly id: string | Uint8Array;
  readonly type: BlobType;
  readonly offset: number;
  readonly length: number;
  readonly uncompressedLength?: number;
}

export interface EncodableIndex {
  readonly supersedes?: readonly string[];
  readonly packs: readonly { readonly id: string; readonly blobs: readonly EncodableBlob[] }[];
}

/** the longest a blob's entry can be: `,{"id":"<64>","type":"data","offset":<10>,"length":<10>,"uncompressed_length":<10>}` */
const BLOB_MAX = 8 + 64 + 25 + 10 + 10 + 10 + 23 + 10 + 1;
/** two lowercase hex digits per byte value */
const HEX_PAIRS = Buffer.from(Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0')).join(''), 'latin1');

/**
 * Restic's encoding: `{"supersedes":[..],"packs":[{"id":..,"blobs":[{"id","type","offset","length",
 * "uncompressed_length"}]}]}` + `\n`; `supersedes` omitted when empty, `uncompressed_length` only when > 0.
 * Throws Permanent for invalid IDs or numbers (a caller bug).
 *
 * Written straight into one buffer, not built as strings: a backup writes an index file per
 * 100,000 blobs, and strings per blob (hex IDs, pieces, the joined text) made that a spike of
 * tens of MiB on the main thread's heap.
 */
export function encodeIndexJSON(idx: EncodableIndex): Buffer {
  let max = 64;
  for (const s of idx.supersedes ?? []) max += 67 + s.length;
  for (const p of idx.packs) max += 64 + p.id.length + BLOB_MAX * p.blobs.length;
  const out = Buffer.allocUnsafeSlow(max);
  let at = 0;
  const text = (s: string) => {
    at += out.write(s, at, 'latin1');
  };
  const id = (v: string | Uint8Array, what: string) => {
    if (typeof v === 'string') return text(checkId(v, what));
    if (v.length !== 32) throw new SkiffError('Permanent', `${what} is not 32 bytes`);
    for (let i = 0; i < 32; i++) {
      const b = v[i]! * 2;
      out[at++] = HEX_PAIRS[b]!;
      out[at++] = HEX_PAIRS[b + 1]!;
    }
  };
  text('{');
  if (idx.supersedes !== undefined && idx.supersedes.length > 0) {
    text('"supersedes":[');
    idx.supersedes.forEach((s, i) => {
      text(i === 0 ? '"' : ',"');
      id(s, 'supersedes ID');
      text('"');
    });
    text('],');
  }
  text('"packs":[');
  idx.packs.forEach((pack, i) => {
    text(i === 0 ? '{"id":"' : ',{"id":"');
    id(pack.id, 'pack ID');
    text('","blobs":[');
    pack.blobs.forEach((b, j) => {
      if (b.type !== 'data' && b.type !== 'tree') throw new SkiffError('Permanent', 'invalid blob type');
      const ulen = b.uncompressedLength ?? 0;
      if (!isU32(b.offset) || !isU32(b.length) || !isU32(ulen)) {
        throw new SkiffError('Permanent', 'blob offset or length out of range');
      }
      text(j === 0 ? '{"id":"' : ',{"id":"');
      id(b.id, 'blob ID');
      text(b.type === 'data' ? '","type":"data","offset":' : '","type":"tree","offset":');
      text(String(b.offset));
      text(',"length":');
      text(String(b.length));
      if (ulen > 0) {
        text(',"uncompressed_length":');
        text(String(ulen));
      }
      text('}');
    });
    text(']}');
  });
  text(']}\n');
  return out.subarray(0, at);
}

function isU32(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= U32_MAX;
}

function bad(where: string, problem: string): SkiffError {
  return new SkiffError('Integrity', `invalid index: ${where} ${problem}`);
}

function decodeBlob(v: unknown, where: string): IndexBlob {
  if (!isRecord(v)) throw bad(where, 'is not an object');
  const id = parseHexId(v['id'], `invalid index: ${where}.id`);
  const type = v['type'];
  if (type !== 'data' && type !== 'tree') throw bad(where, `has invalid type ${JSON.stringify(type)}`);
  const { offset, length } = v;
  if (!isU32(offset)) throw bad(where, 'has an invalid offset');
  if (!isU32(length)) throw bad(where, 'has an invalid length');
  const ulen = v['uncompressed_length'] ?? 0;
  if (!isU32(ulen)) throw bad(where, 'has an invalid uncompressed_length');
  return ulen > 0 ? { id, type, offset, length, uncompressedLength: ulen } : { id, type, offset, length };
}

function decodePack(v: unknown, where: string): IndexPack {
  if (!isRecord(v)) throw bad(where, 'is not an object');
  const id = parseHexId(v['id'], `invalid index: ${where}.id`);
  const raw = v['blobs'] ?? [];
  if (!Array.isArray(raw)) throw bad(where, 'has no blobs array');
  const blobs = new Array<IndexBlob>(raw.length);
  for (let i = 0; i < raw.length; i++) blobs[i] = decodeBlob(raw[i], `${where}.blobs[${i}]`);
  return { id, blobs };
}

function decodePacks(v: unknown): IndexPack[] {
  const raw = v ?? [];
  if (!Array.isArray(raw)) throw bad('packs', 'is not an array');
  const packs = new Array<IndexPack>(raw.length);
  for (let i = 0; i < raw.length; i++) packs[i] = decodePack(raw[i], `packs[${i}]`);
  return packs;
}

/**
 * Parses an index file's JSON: the current object form, or the old top-level array of packs. IDs are
 * returned in lowercase; `null` arrays count as empty. Integrity error naming the first bad field.
 */
export function decodeIndexJSON(json: Buffer): IndexFile {
  const doc = parseJSON(json, 'invalid index');
  if (Array.isArray(doc)) return { packs: decodePacks(doc) };
  if (!isRecord(doc)) throw bad('document', 'is not an object or array');
  const result: IndexFile = { packs: decodePacks(doc['packs']) };
  const sup = doc['supersedes'] ?? [];
  if (!Array.isArray(sup)) throw bad('supersedes', 'is not an array');
  if (sup.length > 0) result.supersedes = sup.map((s, i) => parseHexId(s, `invalid index: supersedes[${i}]`));
  return result;
}
