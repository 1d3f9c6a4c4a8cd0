/**
 * A test tree with everything that trips backup tools: odd names (spaces, quotes, backslashes,
 * newlines, non-UTF-8 bytes), empty files, a multi-chunk file, a sparse file, deep nesting,
 * thousands of files in one directory, symlinks, hardlinks, special mode bits, a fifo.
 */
import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { chmod, link, mkdir, open, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeDevice, setXattr } from '../../repository/fs/index.ts';

export interface OddTreeOptions {
  /** size of the large random file (default 20 MiB: several chunks) */
  readonly bigFile?: number;
  /** files in the crowded directory (default 2000) */
  readonly crowded?: number;
}

export async function makeOddTree(root: string, opts: OddTreeOptions = {}): Promise<void> {
  const r = Buffer.from(root);
  const p = (...parts: (string | Buffer)[]) => Buffer.concat([r, ...parts.flatMap((x) => [Buffer.from('/'), Buffer.from(x)])]);
  await mkdir(root, { recursive: true });
  for (const name of ['with space', 'quote"d', "apo'strophe", 'back\\slash', 'new\nline', 'tab\there', 'emoji 🚀', 'ü-umlaut', '<&>', '-dash', '.hidden']) {
    await writeFile(p(name), `content of ${name}\n`);
  }
  await writeFile(p(Buffer.from([0x62, 0x61, 0x64, 0xff, 0x6e, 0x61, 0x6d, 0x65])), 'non-utf8 name\n');
  await writeFile(p('empty'), '');
  await writeFile(p('empty2'), '');
  const big = Buffer.alloc(opts.bigFile ?? 20 * 1024 * 1024);
  randomFillSync(big);
  await writeFile(p('big.bin'), big);
  const fh = await open(p('sparse.img'), 'w');
  await fh.write(Buffer.from('start'), 0, 5, 0);
  await fh.write(Buffer.from('middle'), 0, 6, 6 * 1024 * 1024);
  await fh.truncate(12 * 1024 * 1024);
  await fh.close();
  let deep = p('deep');
  for (let i = 0; i < 25; i++) deep = Buffer.concat([deep, Buffer.from(`/level${i}`)]);
  await mkdir(deep, { recursive: true });
  await writeFile(Buffer.concat([deep, Buffer.from('/bottom.txt')]), 'deep\n');
  await mkdir(p('crowded'));
  for (let i = 0; i < (opts.crowded ?? 2000); i++) await writeFile(p('crowded', `f${i}.txt`), `file ${i}\n`);
  await symlink('with space', p('link-rel'));
  await symlink('/nonexistent/target', p('link-dangling'));
  await link(p('with space'), p('hardlink-a'));
  await link(p('with space'), p('hardlink-b'));
  await writeFile(p('setuid'), '#!/bin/sh\n');
  await chmod(p('setuid'), 0o4755);
  await mkdir(p('sticky'));
  await chmod(p('sticky'), 0o1777);
  await mkdir(p('setgid'));
  await chmod(p('setgid'), 0o2750);
  await writeFile(p('readonly'), 'ro\n');
  await chmod(p('readonly'), 0o400);
  try {
    execFileSync('mkfifo', [path.join(root, 'fifo')]);
  } catch {
    // mkfifo missing: the tree simply has no fifo
  }
  if (process.getuid?.() === 0) await makeDevice(p('null-device'), 0o20644, 259n); // char 1:3, as /dev/null
  await setXattr(p('with space'), 'user.skiff.note', Buffer.from('hello xattr'));
  await setXattr(p('sticky'), 'user.skiff.dir', Buffer.from([0, 1, 2, 255]));
  await utimes(p('with space'), new Date('2020-01-02T03:04:05.123Z'), new Date('2021-02-03T04:05:06.789Z'));
}
