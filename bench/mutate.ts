/**
 * Turns a copy of (a)+(b) into version 2, data set (d), deterministically: 5 % of the small files
 * change (40 % rewritten, 30 % appended to, 30 % renamed), one large file gets 1 MiB overwritten
 * in its middle and another 4 MiB appended. The copy may share inodes with v1 (hard links), so
 * every changed file is written to a temporary name and renamed over the old one: v1 never changes.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { copyFile, open } from 'node:fs/promises';
import path from 'node:path';
import { smallContent, smallPath, type DataSpec } from './datasets.ts';
import { Prng } from './prng.ts';

export interface Mutation {
  readonly changed: number;
  readonly appended: number;
  readonly renamed: number;
  readonly largeTouched: number;
  /** bytes written or appended (renames count nothing) */
  readonly bytes: number;
}

const MiB = 1024 * 1024;

function replace(file: string, content: Buffer): void {
  const tmp = `${file}.bench-tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

export async function mutate(root: string, spec: DataSpec): Promise<Mutation> {
  const prng = new Prng('mutate');
  const picks = Math.max(1, Math.round(spec.smallFiles * 0.05));
  const chosen = new Set<number>();
  while (chosen.size < Math.min(picks, spec.smallFiles)) chosen.add(prng.int(spec.smallFiles));
  let changed = 0;
  let appended = 0;
  let renamed = 0;
  let bytes = 0;
  for (const i of [...chosen].sort((x, y) => x - y)) {
    const file = path.join(root, smallPath(i, spec));
    const r = prng.float();
    if (r < 0.4) {
      const content = smallContent(i, 2, prng);
      replace(file, content);
      bytes += content.length;
      changed++;
    } else if (r < 0.7) {
      const extra = Buffer.from(`appended line ${i} ${prng.u32()}\n`);
      replace(file, Buffer.concat([readFileSync(file), extra]));
      bytes += extra.length;
      appended++;
    } else {
      renameSync(file, file.replace(/\.txt$/, '-renamed.txt'));
      renamed++;
    }
  }
  let largeTouched = 0;
  if (spec.largeFiles >= 1) {
    const file = path.join(root, 'a', 'large-0.bin');
    await copyFile(file, `${file}.bench-tmp`);
    const fh = await open(`${file}.bench-tmp`, 'r+');
    const patch = prng.bytes(Math.min(MiB, spec.largeSize));
    await fh.write(patch, 0, patch.length, Math.floor(spec.largeSize / 2));
    await fh.close();
    renameSync(`${file}.bench-tmp`, file);
    bytes += patch.length;
    largeTouched++;
  }
  if (spec.largeFiles >= 2) {
    const file = path.join(root, 'a', 'large-1.bin');
    await copyFile(file, `${file}.bench-tmp`);
    const fh = await open(`${file}.bench-tmp`, 'a');
    const tail = prng.bytes(4 * MiB);
    await fh.write(tail);
    await fh.close();
    renameSync(`${file}.bench-tmp`, file);
    bytes += tail.length;
    largeTouched++;
  }
  return { changed, appended, renamed, largeTouched, bytes };
}
