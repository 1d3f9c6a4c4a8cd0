/**
 * A deterministic sample tree for the demo: text files, a large random file, a duplicate of it,
 * a file with zero regions, an empty file, nested directories, a symlink and a hardlink.
 */
import { createHash } from 'node:crypto';
import { link, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Deterministic pseudo-random bytes (SHA-256 in counter mode). */
export function seededBytes(seed: string, n: number): Buffer {
  const out = Buffer.alloc(n);
  let off = 0;
  for (let i = 0; off < n; i++) {
    const h = createHash('sha256').update(`${seed}:${i}`).digest();
    off += h.copy(out, off);
  }
  return out;
}

export async function makeSampleTree(root: string): Promise<void> {
  await mkdir(path.join(root, 'docs', 'notes'), { recursive: true });
  await mkdir(path.join(root, 'data', 'deep', 'er', 'still'), { recursive: true });
  for (let i = 0; i < 200; i++) {
    const lines = Array.from({ length: 40 + (i % 17) }, (_, j) => `note ${i} line ${j}: the quick brown fox ${i * j}`);
    await writeFile(path.join(root, 'docs', 'notes', `note-${String(i).padStart(3, '0')}.txt`), lines.join('\n') + '\n');
  }
  const big = seededBytes('big', 24 * 1024 * 1024);
  await writeFile(path.join(root, 'data', 'big.bin'), big);
  await writeFile(path.join(root, 'data', 'big-copy.bin'), big);
  const sparse = Buffer.alloc(16 * 1024 * 1024);
  seededBytes('sparse', 1024 * 1024).copy(sparse, 4 * 1024 * 1024);
  await writeFile(path.join(root, 'data', 'disk.img'), sparse);
  await writeFile(path.join(root, 'data', 'deep', 'er', 'still', 'leaf.txt'), 'at the bottom\n');
  await writeFile(path.join(root, 'empty'), '');
  await writeFile(path.join(root, 'name with spaces & "quotes"'), 'odd name\n');
  await symlink('docs/notes/note-000.txt', path.join(root, 'link-to-note'));
  await link(path.join(root, 'docs', 'notes', 'note-001.txt'), path.join(root, 'hardlink-to-note-001'));
}
