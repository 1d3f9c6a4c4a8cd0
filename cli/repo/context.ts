/**
 * What every `skiff repo` command needs: the repository URL, the password, and the storage.
 * The password comes from SKIFF_PASSWORD, --password-file or --password-command (restic's
 * RESTIC_* names are accepted too) and is never printed.
 */
import { execFile } from 'node:child_process';
import { setLockWait } from './with-lock.ts';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';
import {
  SkiffError,
  openRepository,
  openStorage,
  type Compression,
  type RepoOptions,
  type Repository,
  type Storage,
} from '../../repository/index.ts';

export interface GlobalOptions {
  repo?: string;
  passwordFile?: string;
  passwordCommand?: string;
  json?: boolean;
  compression?: string;
  packSize?: string;
  cacert?: string;
  insecureTls?: boolean;
  quiet?: boolean;
  retryLock?: string;
}

export interface Env {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export function repoUrl(g: GlobalOptions, e: Env): string {
  const url = g.repo ?? e.env['SKIFF_REPOSITORY'] ?? e.env['RESTIC_REPOSITORY'];
  if (!url) throw new SkiffError('Config', 'no repository given: use -r/--repo or set SKIFF_REPOSITORY');
  return url;
}

export function storageFor(g: GlobalOptions, e: Env): Storage {
  return openStorage(repoUrl(g, e), {
    env: e.env,
    s3: {
      ...(g.cacert ? { caBundle: g.cacert } : {}),
      ...(g.insecureTls ? { insecureSkipTLSVerify: true } : {}),
    },
  });
}

export async function readPassword(
  g: { passwordFile?: string | undefined; passwordCommand?: string | undefined },
  e: Env,
  names: { env: readonly string[]; what: string } = { env: ['SKIFF_PASSWORD', 'RESTIC_PASSWORD'], what: 'password' },
): Promise<string> {
  if (g.passwordFile) {
    try {
      return firstLine(await readFile(g.passwordFile, 'utf8'));
    } catch (err) {
      throw new SkiffError('Config', `cannot read ${names.what} file ${g.passwordFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  if (g.passwordCommand) {
    try {
      const { stdout } = await promisify(execFile)('/bin/sh', ['-c', g.passwordCommand], { env: e.env });
      return firstLine(stdout);
    } catch {
      throw new SkiffError('Config', `${names.what} command failed`);
    }
  }
  for (const n of names.env) {
    const v = e.env[n];
    if (v) return v;
  }
  throw new SkiffError('Config', `no ${names.what} given: set ${names.env[0]} or use --${names.what.replace(/ /g, '-')}-file / --${names.what.replace(/ /g, '-')}-command`);
}

function firstLine(s: string): string {
  const line = s.split(/\r?\n/)[0] ?? '';
  if (line === '') throw new SkiffError('Config', 'empty password');
  return line;
}

export function repoOptions(g: GlobalOptions, e: Env): RepoOptions {
  const compression = (g.compression ?? e.env['SKIFF_COMPRESSION'] ?? 'auto') as Compression;
  if (!['auto', 'off', 'max'].includes(compression)) throw new SkiffError('Config', `invalid --compression "${compression}": use auto, off or max`);
  const packMiB = g.packSize ?? e.env['SKIFF_PACK_SIZE'];
  const packSize = packMiB ? Number(packMiB) * 1024 * 1024 : undefined;
  if (packSize !== undefined && !(packSize >= 4 * 1024 * 1024 && packSize <= 128 * 1024 * 1024)) {
    throw new SkiffError('Config', '--pack-size must be between 4 and 128 (MiB)');
  }
  return {
    compression,
    ...(packSize ? { packSize } : {}),
    hostname: e.env['SKIFF_HOSTNAME'] ?? os.hostname(),
    username: os.userInfo().username,
  };
}

export async function openRepo(g: GlobalOptions, e: Env): Promise<Repository> {
  setLockWait(g.retryLock);
  const storage = storageFor(g, e);
  const password = await readPassword(g, e);
  return openRepository(storage, password, repoOptions(g, e));
}
