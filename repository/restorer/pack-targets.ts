/**
 * Where the blobs of one pack go: one row per (blob, file, offset) in columns. A blob needed by
 * several files has several rows with the same pack offset; sorting by offset puts them together.
 */
import type { BlobLocation } from '../index/master-index.ts';
import { ByteArena, Column } from './column.ts';

/** Rows a pack starts with (a pack of large-file blobs has a few dozen) and grows by. */
const ROWS = 16;
const SEGMENT = 1024;

export class PackTargets {
  readonly packId: string;
  /** blob offset and sealed length in the pack, uncompressed length (0: stored uncompressed) */
  readonly offset = new Column((n) => new Uint32Array(n), ROWS, SEGMENT);
  readonly length = new Column((n) => new Uint32Array(n), ROWS, SEGMENT);
  readonly ulen = new Column((n) => new Uint32Array(n), ROWS, SEGMENT);
  /** the file (row of the FileTable) and where in it the blob goes */
  readonly file = new Column((n) => new Uint32Array(n), ROWS, SEGMENT);
  readonly fileOffset = new Column((n) => new Float64Array(n), ROWS, SEGMENT);
  /** 32-byte blob IDs, row t at 32 t */
  readonly ids = new ByteArena(32 * ROWS, 32 * SEGMENT);

  constructor(packId: string) {
    this.packId = packId;
  }

  get rows(): number {
    return this.file.length;
  }

  add(id: Uint8Array, loc: BlobLocation, file: number, fileOffset: number): void {
    this.offset.push(loc.offset);
    this.length.push(loc.length);
    this.ulen.push(loc.uncompressedLength);
    this.file.push(file);
    this.fileOffset.push(fileOffset);
    this.ids.push(id);
  }

  /** Row indexes in pack order (ties: the order they were added). */
  sorted(): Uint32Array {
    const order = new Uint32Array(this.file.length);
    const off = new Uint32Array(order.length);
    for (let i = 0; i < order.length; i++) {
      order[i] = i;
      off[i] = this.offset.get(i);
    }
    return order.sort((a, b) => off[a]! - off[b]! || a - b);
  }
}
