/**
 * Whether a directory's new nodes are exactly its parent snapshot's nodes, so the parent's tree
 * blob can stand for the new tree without encoding and hashing it again (a no-change backup then
 * re-encodes nothing). Both lists are sorted by name; every field the encoder writes is compared.
 */
import type { ExtendedAttribute, Node } from '../tree/index.ts';

export function sameNodes(a: readonly Node[], b: readonly Node[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameNode(a[i]!, b[i]!)) return false;
  return true;
}

function sameNode(a: Node, b: Node): boolean {
  return (
    a.type === b.type &&
    a.mode === b.mode &&
    a.mtime === b.mtime &&
    a.atime === b.atime &&
    a.ctime === b.ctime &&
    a.uid === b.uid &&
    a.gid === b.gid &&
    (a.user ?? '') === (b.user ?? '') &&
    (a.group ?? '') === (b.group ?? '') &&
    (a.inode ?? 0n) === (b.inode ?? 0n) &&
    (a.deviceId ?? 0n) === (b.deviceId ?? 0n) &&
    (a.size ?? 0n) === (b.size ?? 0n) &&
    (a.links ?? 0n) === (b.links ?? 0n) &&
    (a.device ?? 0n) === (b.device ?? 0n) &&
    a.subtree === b.subtree &&
    (a.error ?? '') === (b.error ?? '') &&
    a.name.equals(b.name) &&
    sameBytes(a.linktarget, b.linktarget) &&
    sameList(a.content, b.content) &&
    sameXattrs(a.extendedAttributes, b.extendedAttributes)
  );
}

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return (a === undefined || a.length === 0) ? b === undefined || b.length === 0 : b !== undefined && a.equals(b);
}

function sameList(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameXattrs(a: readonly ExtendedAttribute[] | undefined, b: readonly ExtendedAttribute[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i]!.name !== y[i]!.name || !x[i]!.value.equals(y[i]!.value)) return false;
  return true;
}
