/**
 * Compares two directory trees: entry names (as bytes), types, sizes, contents (SHA-256),
 * permission bits, symlink targets, mtimes (to the microsecond) and hardlink groups.
 * Returns the differences, empty when the trees are equal.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { getXattr, listXattrs, nativeAvailable } from '../../repository/fs/index.ts';

export interface TreeSummary {
  files: number;
  dirs: number;
  bytes: number;
}

const SLASH = Buffer.from('/');
const join = (a: Buffer, b: Buffer) => (b.length ? Buffer.concat([a, SLASH, b]) : a);

export async function compareTrees(
  a: string,
  b: string,
  opts: { times?: boolean; /** entry names left out of the comparison at the top level */ ignore?: readonly string[] } = {},
): Promise<{ diffs: string[]; summary: TreeSummary }> {
  const diffs: string[] = [];
  const summary: TreeSummary = { files: 0, dirs: 0, bytes: 0 };
  const linksA = new Map<string, string>();
  const linksB = new Map<string, string>();
  const ra = Buffer.from(a);
  const rb = Buffer.from(b);
  const walk = async (rel: Buffer): Promise<void> => {
    const skip = (n: Buffer) => rel.length === 0 && (opts.ignore ?? []).includes(n.toString());
    const na = (await readdir(join(ra, rel), { encoding: 'buffer' })).filter((n) => !skip(n));
    const nb = (await readdir(join(rb, rel), { encoding: 'buffer' })).filter((n) => !skip(n));
    na.sort(Buffer.compare);
    nb.sort(Buffer.compare);
    const show = (x: Buffer) => JSON.stringify(x.toString());
    if (na.length !== nb.length || na.some((n, i) => !n.equals(nb[i]!))) diffs.push(`${show(rel)}: entries differ`);
    for (const name of na) {
      if (!nb.some((n) => n.equals(name))) continue;
      const r = join(rel, name);
      const [sa, sb] = await Promise.all([lstat(join(ra, r), { bigint: true }), lstat(join(rb, r), { bigint: true })]);
      const what = show(r);
      if ((sa.mode & 0o170000n) !== (sb.mode & 0o170000n)) {
        diffs.push(`${what}: type differs`);
        continue;
      }
      if (!sa.isSymbolicLink() && (sa.mode & 0o7777n) !== (sb.mode & 0o7777n)) diffs.push(`${what}: mode ${(sa.mode & 0o7777n).toString(8)} vs ${(sb.mode & 0o7777n).toString(8)}`);
      if (opts.times !== false && !sa.isSymbolicLink() && sa.mtimeNs / 1000n !== sb.mtimeNs / 1000n) diffs.push(`${what}: mtime differs`);
      if (!sa.isSymbolicLink() && nativeAvailable()) {
        const [xa, xb] = await Promise.all([xattrs(join(ra, r)), xattrs(join(rb, r))]);
        if (xa !== xb) diffs.push(`${what}: extended attributes differ`);
      }
      if ((sa.isCharacterDevice() || sa.isBlockDevice()) && sa.rdev !== sb.rdev) diffs.push(`${what}: device number differs`);
      if (sa.isSymbolicLink()) {
        const [la, lb] = await Promise.all([readlink(join(ra, r), { encoding: 'buffer' }), readlink(join(rb, r), { encoding: 'buffer' })]);
        if (!la.equals(lb)) diffs.push(`${what}: link target differs`);
      } else if (sa.isDirectory()) {
        summary.dirs++;
        await walk(r);
      } else if (sa.isFile()) {
        summary.files++;
        summary.bytes += Number(sa.size);
        if (sa.nlink > 1n) {
          linksA.set(r.toString('latin1'), `${sa.dev}:${sa.ino}`);
          linksB.set(r.toString('latin1'), `${sb.dev}:${sb.ino}`);
        }
        if (sa.size !== sb.size) diffs.push(`${what}: size ${sa.size} vs ${sb.size}`);
        else if ((await hashFile(join(ra, r))) !== (await hashFile(join(rb, r)))) diffs.push(`${what}: content differs`);
      }
    }
  };
  await walk(Buffer.alloc(0));
  // files hardlinked together in `a` must be hardlinked together in `b`
  const groups = new Map<string, string[]>();
  for (const [p, k] of linksA) groups.set(k, [...(groups.get(k) ?? []), p]);
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const inB = new Set(members.map((m) => linksB.get(m) ?? `missing:${m}`));
    if (inB.size !== 1) diffs.push(`hardlinks ${members.map((m) => JSON.stringify(Buffer.from(m, 'latin1').toString())).join(', ')} are not linked in the copy`);
  }
  return { diffs, summary };
}

/** user.* extended attributes as one comparable string (other namespaces are the system's own) */
async function xattrs(p: Buffer): Promise<string> {
  const names = (await listXattrs(p)).filter((n) => n.toString().startsWith('user.')).sort(Buffer.compare);
  const parts = await Promise.all(names.map(async (n) => `${n.toString()}=${(await getXattr(p, n)).toString('base64')}`));
  return parts.join(',');
}

async function hashFile(p: Buffer): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(p)) h.update(chunk as Buffer);
  return h.digest('hex');
}
