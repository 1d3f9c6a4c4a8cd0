/**
 * Maps the paths given to `backup` onto the snapshot's tree, as restic does:
 * a relative target keeps its relative components (`backup src` → `/src`), an absolute one keeps
 * every component (`/srv/app` → `/srv/app`), and `.` puts the directory's contents at the root.
 * Intermediate directories get nodes with the metadata of the real directory at that prefix.
 */
import path from 'node:path';
import { SkiffError } from '../errors/errors.ts';

export interface VirtualDir {
  /** real directory whose metadata the node gets; undefined for the snapshot root */
  readonly realPath: string | undefined;
  /** children sorted later by name bytes; values are a subtree or a real path to archive */
  readonly children: Map<string, VirtualDir | string>;
}

export interface TargetPlan {
  /** when set, the root tree is this real directory's contents (`backup .`) */
  readonly rootDir?: string;
  readonly root: VirtualDir;
  /** absolute, cleaned target paths, recorded in the snapshot */
  readonly paths: string[];
}

export function planTargets(targets: readonly string[], cwd: string): TargetPlan {
  if (targets.length === 0) throw new SkiffError('Config', 'nothing to back up: no paths given');
  const root: VirtualDir = { realPath: undefined, children: new Map() };
  const paths: string[] = [];
  let rootDir: string | undefined;
  for (const t of targets) {
    const abs = path.resolve(cwd, t);
    paths.push(abs);
    const isAbs = path.isAbsolute(t);
    const clean = isAbs ? abs : path.normalize(t).replace(/\/+$/, '');
    const parts = (isAbs ? abs.split('/') : clean.split('/')).filter((p) => p !== '' && p !== '.' && p !== '..');
    if (parts.length === 0) {
      if (rootDir !== undefined && rootDir !== abs) throw new SkiffError('Config', `targets ${rootDir} and ${abs} both map to the snapshot root`);
      rootDir = abs;
      continue;
    }
    let dir = root;
    let real = isAbs ? '/' : path.resolve(cwd, clean.slice(0, clean.length - (parts.join('/').length)) || '.');
    for (let i = 0; i < parts.length - 1; i++) {
      real = path.join(real, parts[i]!);
      const existing = dir.children.get(parts[i]!);
      if (typeof existing === 'string') break; // an ancestor is archived whole already
      if (existing) dir = existing;
      else {
        const next: VirtualDir = { realPath: real, children: new Map() };
        dir.children.set(parts[i]!, next);
        dir = next;
      }
    }
    dir.children.set(parts.at(-1)!, abs);
  }
  if (rootDir !== undefined && root.children.size > 0) {
    throw new SkiffError('Config', `target ${rootDir} puts its contents at the snapshot root and cannot be combined with other targets`);
  }
  return rootDir === undefined ? { root, paths } : { root, paths, rootDir };
}
