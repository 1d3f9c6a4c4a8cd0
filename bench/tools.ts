/**
 * The programs under test, driven the way a user would drive them: Skiff's CLI
 * (`node cli/skiff.ts repo ...`, a child process per command) and the restic binaries. Both use
 * compression "auto", the default pack size (16 MiB) and no local cache: Skiff has none, and
 * restic runs with --no-cache, so every command of either reads what it needs from the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, type RunResult } from './proc.ts';

export interface Tool {
  /** e.g. "skiff", "restic 0.18" */
  readonly name: string;
  readonly isSkiff: boolean;
  init(repo: string, env: NodeJS.ProcessEnv, args?: readonly string[]): Promise<RunResult>;
  backup(repo: string, src: string, env: NodeJS.ProcessEnv, args?: readonly string[]): Promise<RunResult>;
  restore(repo: string, target: string, env: NodeJS.ProcessEnv, args?: readonly string[]): Promise<RunResult>;
}

export const PASSWORD = 'skiff-bench-password';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SKIFF = path.join(ROOT, 'cli', 'skiff.ts');

export function skiffTool(opts: { workers?: number; name?: string; compileCache?: string; nodeArgs?: readonly string[] }): Tool {
  const envOf = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    ...env,
    SKIFF_PASSWORD: PASSWORD,
    ...(opts.workers !== undefined ? { SKIFF_WORKERS: String(opts.workers) } : {}),
    ...(opts.compileCache ? { NODE_COMPILE_CACHE: opts.compileCache } : {}),
  });
  const skiff = (repo: string, args: string[], env: NodeJS.ProcessEnv, extra: readonly string[] = []) =>
    run(process.execPath, [...(opts.nodeArgs ?? []), SKIFF, 'repo', '-r', repo, '-q', '--compression', 'auto', ...extra, ...args], { env: envOf(env) });
  return {
    name: opts.name ?? 'skiff',
    isSkiff: true,
    init: (repo, env, extra) => skiff(repo, ['init'], env, extra),
    backup: (repo, src, env, extra) => skiff(repo, ['backup', src], env, extra),
    restore: (repo, target, env, extra) => skiff(repo, ['restore', 'latest', '-t', target], env, extra),
  };
}

/** Skiff's engine without the CLI (bench/skiff-engine.ts): the same work, without the CLI's start-up. */
export function skiffEngineTool(opts: { compileCache?: string }): Tool {
  const engine = path.join(ROOT, 'bench', 'skiff-engine.ts');
  const env = (e: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...e, SKIFF_PASSWORD: PASSWORD, ...(opts.compileCache ? { NODE_COMPILE_CACHE: opts.compileCache } : {}) });
  const go = (args: string[], e: NodeJS.ProcessEnv, extra: readonly string[] = []) => run(process.execPath, [engine, ...args, ...extra], { env: env(e) });
  return {
    name: 'skiff engine',
    isSkiff: false,
    init: (repo, e, extra) => go(['init', repo], e, extra),
    backup: (repo, src, e, extra) => go(['backup', repo, src], e, extra),
    restore: (repo, target, e, extra) => go(['restore', repo, target], e, extra),
  };
}

export function resticTool(bin: string, version: string): Tool {
  const restic = (repo: string, args: string[], env: NodeJS.ProcessEnv, extra: readonly string[] = []) =>
    run(bin, ['-r', repo, '--no-cache', '-q', ...extra, ...args], { env: { ...env, RESTIC_PASSWORD: PASSWORD } });
  return {
    name: `restic ${version}`,
    isSkiff: false,
    init: (repo, env, extra) => restic(repo, ['init'], env, extra),
    backup: (repo, src, env, extra) => restic(repo, ['backup', '--compression', 'auto', src], env, extra),
    restore: (repo, target, env, extra) => restic(repo, ['restore', 'latest', '--target', target], env, extra),
  };
}

/** restic's version string ("0.18.0"), or undefined when the binary is missing or broken. */
export function resticVersion(bin: string): string | undefined {
  if (!existsSync(bin)) return undefined;
  try {
    return /restic (\d+\.\d+\.\d+)/.exec(execFileSync(bin, ['version'], { encoding: 'utf8' }))?.[1];
  } catch {
    return undefined;
  }
}

/** restic 0.18 (RESTIC or the project cache) and, when present, Debian's restic 0.14. */
export function findRestics(): Tool[] {
  const tools: Tool[] = [];
  const r18 = process.env['RESTIC'] ?? path.join(ROOT, '.cache', 'restic-0.18', 'usr', 'bin', 'restic');
  const v18 = resticVersion(r18);
  if (v18) tools.push(resticTool(r18, v18.split('.').slice(0, 2).join('.')));
  const r14 = process.env['RESTIC_014'] ?? '/usr/bin/restic';
  const v14 = resticVersion(r14);
  if (v14 && r14 !== r18 && v14 !== v18) tools.push(resticTool(r14, v14.split('.').slice(0, 2).join('.')));
  return tools;
}
