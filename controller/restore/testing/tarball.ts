// Test-only writers of tar archives and backup tarballs in the documented layout
// (architecture.md): `metadata/version`, `resources/<gr>/namespaces/<ns>/<name>.json`,
// `resources/<gr>/cluster/<name>.json`. Long paths get a pax `path` record.
import { gzipSync } from 'node:zlib';
import type { JsonObject } from '../unstructured.ts';

function header(name: string, size: number, type: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000755\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  h.write('00000000000\0', 136, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function pad(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest)]);
}

export interface TarInput {
  readonly path: string;
  readonly data: Buffer | string;
  /** tar type flag; default '0' (regular file) */
  readonly type?: string;
}

/** An uncompressed tar archive of `entries`, ended by two zero blocks. */
export function tarBuffer(entries: readonly TarInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : e.data;
    let name = e.path;
    if (Buffer.byteLength(name) > 100) {
      const rec = ` path=${name}\n`;
      let len = rec.length + 2;
      if (`${len}${rec}`.length !== len) len = `${len}${rec}`.length;
      const pax = Buffer.from(`${len}${rec}`);
      parts.push(header('PaxHeader', pax.length, 'x'), pad(pax));
      name = name.slice(-100);
    }
    parts.push(header(name, data.length, e.type ?? '0'), pad(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export interface TestItem {
  readonly groupResource: string;
  readonly namespace?: string;
  readonly object: JsonObject;
}

/** A gzip'd backup tarball holding `items` (names from `metadata.name`). */
export function backupTarballGz(items: readonly TestItem[], version = '1.1.0'): Buffer {
  const entries: TarInput[] = [{ path: 'metadata/version', data: `${version}\n` }];
  for (const it of items) {
    const meta = it.object['metadata'] as JsonObject;
    const name = String(meta['name']);
    const scope = it.namespace === undefined ? `cluster/${name}.json` : `namespaces/${it.namespace}/${name}.json`;
    entries.push({ path: `resources/${it.groupResource}/${scope}`, data: JSON.stringify(it.object) });
  }
  return gzipSync(tarBuffer(entries));
}
