import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SkiffError } from '../../repository/errors/errors.ts';

/** The Kubernetes 1.20.2 binaries the harness runs (all from one build, see ../shared/kube/README.md). */
export const KUBE_BINARIES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
export type KubeBinary = (typeof KUBE_BINARIES)[number];

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/**
 * Where the xz-compressed binaries and SHA256SUMS live: env KUBE_ASSETS_XZ; else `.cache/kube-xz`
 * when build-kube.sh has written it; else ../shared/kube.
 */
export function compressedAssetsDir(): string {
  const given = process.env['KUBE_ASSETS_XZ'];
  if (given !== undefined && given !== '') return given;
  const built = path.join(repoRoot, '.cache', 'kube-xz');
  return existsSync(path.join(built, 'SHA256SUMS')) ? built : path.resolve(repoRoot, '..', 'shared', 'kube');
}

/**
 * Builds whose kube-apiserver is known not to work, by its SHA-256. The first one is the build in
 * ../shared/kube as of this writing: Go 1.19 with vendored reflect2 1.0.1 crashes (SIGSEGV) on
 * the first write of any custom resource. test/kube/build-kube.sh makes a working one.
 */
export const BROKEN_APISERVERS: ReadonlyMap<string, string> = new Map([
  [
    '38fd38ec513d303749211cedfc5f66fad616d5e2d17fcab1e0d82c98c713e648',
    'its kube-apiserver (Go 1.19 + reflect2 1.0.1) crashes on custom resource writes; rebuild with test/kube/build-kube.sh',
  ],
]);

/** Why the compressed build in `dir` cannot be used (missing files, known-broken build), or undefined. */
export function compressedAssetsProblem(dir: string): string | undefined {
  const missing = ['SHA256SUMS', ...KUBE_BINARIES.map((b) => `${b}.xz`)].filter((f) => !existsSync(path.join(dir, f)));
  if (missing.length > 0) return `${dir} lacks ${missing.join(', ')} (set KUBE_ASSETS or KUBE_ASSETS_XZ)`;
  const apiserver = parseSha256Sums(readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8')).get('kube-apiserver');
  const broken = apiserver === undefined ? undefined : BROKEN_APISERVERS.get(apiserver);
  return broken === undefined ? undefined : `the build in ${dir} is known broken: ${broken}`;
}

/** The cache root the binaries are decompressed under (one subdirectory per SHA256SUMS) when KUBE_ASSETS is not set. */
export function assetsCacheDir(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  return xdg !== undefined && xdg !== '' ? path.join(xdg, 'skiff', 'kube') : path.join(repoRoot, '.cache', 'kube');
}

/** Path of the etcd binary: env ETCD_BIN, else Debian's /usr/bin/etcd. */
export function etcdBinary(): string {
  return process.env['ETCD_BIN'] ?? '/usr/bin/etcd';
}

/** Parses `sha256sum` output: `<hex>  <name>` per line. */
export function parseSha256Sums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) sums.set(m[2], m[1]);
  }
  return sums;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

async function xzDecompress(src: string, dest: string): Promise<void> {
  const child = spawn('xz', ['-dc', src], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  await pipeline(child.stdout, createWriteStream(dest, { mode: 0o755 }));
  const code = await exited;
  if (code !== 0) throw new SkiffError('Config', `xz -dc ${src} failed (exit ${code}): ${stderr.trim()}`);
}

/**
 * Returns a directory holding the three kube binaries, checked against SHA256SUMS.
 * With env KUBE_ASSETS set, that directory is used as is (no checksum check). Otherwise the
 * binaries from compressedAssetsDir() are decompressed once into a subdirectory of
 * assetsCacheDir() named after their SHA256SUMS, so several builds can share the cache. Safe to run concurrently from several
 * processes: each writes a private temp file, verifies it, then renames it into place.
 */
export async function ensureKubeAssets(): Promise<string> {
  const given = process.env['KUBE_ASSETS'];
  if (given !== undefined && given !== '') {
    for (const bin of KUBE_BINARIES) {
      if (!existsSync(path.join(given, bin))) throw new SkiffError('Config', `KUBE_ASSETS=${given} has no ${bin}`);
    }
    return given;
  }
  const src = compressedAssetsDir();
  const problem = compressedAssetsProblem(src);
  if (problem !== undefined) throw new SkiffError('Config', problem);
  const sumsText = readFileSync(path.join(src, 'SHA256SUMS'), 'utf8');
  const sums = parseSha256Sums(sumsText);
  const cache = path.join(assetsCacheDir(), createHash('sha256').update(sumsText).digest('hex').slice(0, 16));
  await mkdir(cache, { recursive: true });
  for (const bin of KUBE_BINARIES) {
    const want = sums.get(bin);
    if (want === undefined) throw new SkiffError('Config', `${src}/SHA256SUMS has no entry for ${bin}`);
    const dest = path.join(cache, bin);
    if (existsSync(dest) && (await sha256File(dest)) === want) continue;
    const tmp = `${dest}.tmp-${process.pid}-${Date.now()}`;
    try {
      await xzDecompress(path.join(src, `${bin}.xz`), tmp);
      const got = await sha256File(tmp);
      if (got !== want) throw new SkiffError('Integrity', `${bin} from ${src} has sha256 ${got}, SHA256SUMS says ${want}`);
      await chmod(tmp, 0o755);
      await rename(tmp, dest);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  return cache;
}
