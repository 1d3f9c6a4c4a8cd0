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

/**
 * Restic's encoding: `{"supersedes":[..],"packs":[{"id":..,"blobs":[{"id","type","offset","length",
 * "uncompressed_length"}]}]}` + `\n`; `supersedes` omitted when empty, `uncompressed_length` only when > 0.
 * Throws Permanent for invalid IDs or numbers (a caller bug).
 */
export function encodeIndexJSON(idx: IndexFile): Buffer {
  const parts: string[] = ['{'];
  if (idx.supersedes !== undefined && idx.supersedes.length > 0) {
    parts.push('"supersedes":["', idx.supersedes.map((s) => checkId(s, 'supersedes ID')).join('","'), '"],');
  }
  parts.push('"packs":[');
  idx.packs.forEach((pack, i) => {
    parts.push(i === 0 ? '{"id":"' : ',{"id":"', checkId(pack.id, 'pack ID'), '","blobs":[');
    pack.blobs.forEach((b, j) => {
      if (b.type !== 'data' && b.type !== 'tree') throw new SkiffError('Permanent', 'invalid blob type');
      const ulen = b.uncompressedLength ?? 0;
      if (!isU32(b.offset) || !isU32(b.length) || !isU32(ulen)) {
        throw new SkiffError('Permanent', 'blob offset or length out of range');
      }
      parts.push(
        j === 0 ? '{"id":"' : ',{"id":"',
        checkId(b.id, 'blob ID'),
        `","type":"${b.type}","offset":${b.offset},"length":${b.length}`,
        ulen > 0 ? `,"uncompressed_length":${ulen}}` : '}',
      );
    });
    parts.push(']}');
  });
  parts.push(']}\n');
  return Buffer.from(parts.join(''), 'utf8');
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
