/**
 * The real restic binaries, the oracle for the repository format: 0.14 from Debian (apt) and
 * 0.18 unpacked from ../shared/restic. Missing binaries skip loudly; with CI=true they fail.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHARED = process.env['SKIFF_SHARED'] ?? path.resolve(ROOT, '..', 'shared');

export type ResticVersion = '0.14' | '0.18';

export interface Restic {
  readonly version: ResticVersion;
  readonly bin: string;
  run(args: readonly string[], opts: { password: string; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<{ stdout: string; stderr: string }>;
}

const cache = new Map<ResticVersion, string | null>();

function locate(v: ResticVersion): string | null {
  if (cache.has(v)) return cache.get(v)!;
  let bin: string | null = null;
  if (v === '0.14') {
    const cand = process.env['RESTIC_014'] ?? '/usr/bin/restic';
    if (existsSync(cand) && versionOf(cand).startsWith('0.14')) bin = cand;
  } else {
    const env = process.env['RESTIC'];
    if (env && existsSync(env)) bin = env;
    else bin = unpack018();
  }
  cache.set(v, bin);
  return bin;
}

function versionOf(bin: string): string {
  try {
    return /restic (\d+\.\d+\.\d+)/.exec(execFileSync(bin, ['version'], { encoding: 'utf8' }))?.[1] ?? '';
  } catch {
    return '';
  }
}

function unpack018(): string | null {
  const dir = path.join(ROOT, '.cache', 'restic-0.18');
  const bin = path.join(dir, 'usr', 'bin', 'restic');
  if (existsSync(bin)) return bin;
  const debDir = path.join(SHARED, 'restic');
  if (!existsSync(debDir)) return null;
  const deb = readdirSync(debDir).find((f) => f.endsWith('.deb'));
  if (!deb) return null;
  try {
    mkdirSync(dir, { recursive: true });
    execFileSync('dpkg', ['-x', path.join(debDir, deb), dir]);
  } catch {
    return null;
  }
  return existsSync(bin) ? bin : null;
}

/**
 * Registers an ava test that needs restic `v`. Without the binary the test is registered as
 * skipped with the reason in its title (and a warning on stderr); under CI=true it fails instead.
 */
export function testWithRestic(title: string, v: ResticVersion, fn: (t: ExecutionContext, restic: Restic) => Promise<void>): void {
  const bin = locate(v);
  if (!bin) {
    const why = `restic ${v} not available (0.14: apt-get install restic; 0.18: ../shared/restic or RESTIC=...)`;
    if (process.env['CI'] === 'true') test(title, (t) => t.fail(why));
    else {
      console.warn(`SKIPPED: ${title}: ${why}`);
      test.skip(`${title} [SKIPPED: ${why}]`, () => undefined);
    }
    return;
  }
  test(title, (t) => fn(t, makeRestic(v, bin)));
}

function makeRestic(v: ResticVersion, bin: string): Restic {
  return {
    version: v,
    bin,
    async run(args, opts) {
      const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], RESTIC_PASSWORD: opts.password, RESTIC_CACHE_DIR: path.join(ROOT, '.cache', 'restic-cache'), ...opts.env };
      try {
        const pending = promisify(execFile)(bin, [...args], { env, maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
        pending.child.stdin?.end(); // never wait for a prompt's answer
        return await pending;
      } catch (err) {
        const e = err as { stderr?: string; stdout?: string; message: string };
        throw new Error(`restic ${v} ${args.join(' ')} failed: ${e.stderr || e.message}`);
      }
    },
  };
}

/** True when restic is absent and the test should stop (after resticFor skipped or failed it). */
export function availableResticVersions(): ResticVersion[] {
  return (['0.14', '0.18'] as const).filter((v) => locate(v) !== null);
}
