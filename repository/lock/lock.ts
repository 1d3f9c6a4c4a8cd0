/**
 * Repository locks, as restic: non-exclusive (backup, restore, check) or exclusive (prune, key
 * removal). A lock is stale when its time is more than 30 minutes old or it was taken on this
 * host by a process that no longer exists; stale locks never block and are removed on the way.
 * A held lock is refreshed every 5 minutes (new lock file, then the old one removed).
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeLock, encodeLock, type LockInfo } from '../tree/index.ts';
import { rfc3339 } from '../repo/time.ts';
import { SkiffError, isCode } from '../errors/errors.ts';
import type { Repository } from '../repo/repository.ts';

export const STALE_AFTER_MS = 30 * 60 * 1000;
export const REFRESH_EVERY_MS = 5 * 60 * 1000;

export interface LockOptions {
  readonly exclusive: boolean;
  /** wait between writing our lock and re-checking for conflicts (restic: 200 ms) */
  readonly settleMs?: number;
  readonly refreshMs?: number;
  readonly pidAlive?: (pid: number) => boolean;
  /** keep trying this long while the repository is locked by others (restic's --retry-lock); default 0 */
  readonly waitMs?: number;
  /** called each time a conflicting lock makes this wait and try again */
  readonly onWait?: () => void;
}

export interface HeldLock {
  readonly id: string;
  release(): Promise<void>;
}

export interface LockEntry {
  readonly id: string;
  readonly info: LockInfo;
  readonly stale: boolean;
}

export async function listLocks(repo: Repository, pidAlive = defaultPidAlive): Promise<LockEntry[]> {
  const out: LockEntry[] = [];
  for (const f of await repo.listIds('lock')) {
    let info: LockInfo;
    try {
      info = decodeLock(await repo.loadUnpacked('lock', f.name));
    } catch (err) {
      if (isCode(err, 'NotFound')) continue; // released meanwhile
      continue; // unreadable lock files are ignored, as restic 0.14 does
    }
    out.push({ id: f.name, info, stale: isStale(repo, info, pidAlive) });
  }
  return out;
}

export function isStale(repo: Repository, info: LockInfo, pidAlive = defaultPidAlive): boolean {
  const now = repo.options.now();
  const age = now.getTime() - Date.parse(info.time.replace(/\.\d+/, ''));
  if (!(age <= STALE_AFTER_MS)) return true;
  return info.hostname === hostname(repo) && !pidAlive(info.pid);
}

export async function acquireLock(repo: Repository, opts: LockOptions): Promise<HeldLock> {
  const deadline = Date.now() + (opts.waitMs ?? 0);
  for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      return await acquireOnce(repo, opts);
    } catch (err) {
      if (!isCode(err, 'Locked') || Date.now() + delay > deadline) throw err;
      opts.onWait?.();
      await sleep(delay);
    }
  }
}

async function acquireOnce(repo: Repository, opts: LockOptions): Promise<HeldLock> {
  const pidAlive = opts.pidAlive ?? defaultPidAlive;
  await assertNoConflict(repo, opts.exclusive, undefined, pidAlive);
  let id = await writeLock(repo, opts.exclusive);
  await sleep(opts.settleMs ?? 200);
  try {
    await assertNoConflict(repo, opts.exclusive, id, pidAlive);
  } catch (err) {
    await repo.storage.remove({ type: 'lock', name: id });
    throw err;
  }
  let refreshing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    refreshing = refreshing.then(async () => {
      const next = await writeLock(repo, opts.exclusive);
      const old = id;
      id = next;
      await repo.storage.remove({ type: 'lock', name: old });
    }).catch(() => undefined); // a failed refresh is retried on the next tick
  }, opts.refreshMs ?? REFRESH_EVERY_MS);
  timer.unref();
  return {
    get id() {
      return id;
    },
    async release() {
      clearInterval(timer);
      await refreshing;
      await repo.storage.remove({ type: 'lock', name: id });
    },
  };
}

/** Removes stale locks (or all locks with `all`); returns the IDs removed. */
export async function unlock(repo: Repository, opts: { all?: boolean; pidAlive?: (pid: number) => boolean } = {}): Promise<string[]> {
  const removed: string[] = [];
  for (const l of await listLocks(repo, opts.pidAlive)) {
    if (opts.all || l.stale) {
      await repo.storage.remove({ type: 'lock', name: l.id });
      removed.push(l.id);
    }
  }
  return removed;
}

async function assertNoConflict(repo: Repository, exclusive: boolean, own: string | undefined, pidAlive: (pid: number) => boolean): Promise<void> {
  for (const l of await listLocks(repo, pidAlive)) {
    if (l.id === own) continue;
    if (l.stale) {
      await repo.storage.remove({ type: 'lock', name: l.id }).catch(() => undefined);
      continue;
    }
    if (exclusive || l.info.exclusive) {
      const kind = l.info.exclusive ? 'exclusively ' : '';
      throw new SkiffError(
        'Locked',
        `repository is already locked ${kind}by PID ${l.info.pid} on ${l.info.hostname} by ${l.info.username || 'unknown user'} since ${l.info.time} (lock ${l.id.slice(0, 8)}); if that process is gone, run \`skiff repo unlock\``,
      );
    }
  }
}

async function writeLock(repo: Repository, exclusive: boolean): Promise<string> {
  const info = os.userInfo();
  const lock: LockInfo = {
    time: rfc3339(repo.options.now()),
    exclusive,
    hostname: hostname(repo),
    username: repo.options.username || info.username,
    pid: process.pid,
    ...(info.uid ? { uid: info.uid } : {}),
    ...(info.gid ? { gid: info.gid } : {}),
  };
  return repo.saveUnpacked('lock', encodeLock(lock));
}

function hostname(repo: Repository): string {
  return repo.options.hostname || os.hostname();
}

function defaultPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

