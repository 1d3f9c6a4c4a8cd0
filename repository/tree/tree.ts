/**
 * Tree blobs: `{"nodes":[…]}\n` with nodes sorted by raw name bytes (restic-format.md §9.1).
 * The tree ID is the SHA-256 of exactly these bytes, so encoding is deterministic and matches
 * restic 0.14 byte for byte.
 */
import { SkiffError } from '../errors/errors.ts';
import { parseJSONWithUint64 } from './go-json.ts';
import { goQuote } from './go-quote.ts';
import { checkName, decodeNode, foldKeys, NODE_UINT64_KEYS } from './node-decode.ts';
import { encodeNode, type Node } from './node.ts';

/** Go string order of two names: bytewise, never JS UTF-16 order. */
export function compareNames(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

function sortedUnique(nodes: readonly Node[]): Node[] {
  const sorted = [...nodes].sort((a, b) => compareNames(a.name, b.name));
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (prev !== undefined && cur !== undefined && compareNames(prev.name, cur.name) === 0) {
      throw new SkiffError('Integrity', `tree contains duplicate name ${JSON.stringify(goQuote(cur.name))}`);
    }
  }
  return sorted;
}

/** The tree blob plaintext for `nodes` (any order in; sorted, duplicate names rejected). */
export function encodeTree(nodes: readonly Node[]): Buffer {
  const sorted = sortedUnique(nodes);
  for (const n of sorted) checkName(n.name);
  return Buffer.from(`{"nodes":[${sorted.map(encodeNode).join(',')}]}\n`, 'utf8');
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * Nodes of a tree blob, sorted by name. Unknown keys are ignored and newer restic's fields read;
 * a node with an unknown type, an unquotable or unsafe name (empty, `.`, `..`, containing `/`
 * or NUL), a malformed field, or a duplicate name throws `Integrity`.
 */
export function decodeTree(json: Uint8Array): Node[] {
  const parsed = parseJSONWithUint64(decoder.decode(json), NODE_UINT64_KEYS, 'tree');
  const list = foldKeys(parsed, 'a top level').get('nodes');
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new SkiffError('Integrity', 'tree contains nodes that are not a list');
  return sortedUnique(list.map(decodeNode));
}

/** Binary search of a sorted node list (as `decodeTree` returns) by raw name. */
export function findNode(nodes: readonly Node[], name: Uint8Array): Node | undefined {
  let lo = 0;
  let hi = nodes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const n = nodes[mid];
    if (n === undefined) return undefined;
    const c = compareNames(n.name, name);
    if (c === 0) return n;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return undefined;
}
