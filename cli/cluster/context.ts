/** What every cluster command is given: the Out sink, the environment, and a way to connect. */
import { createInterface } from 'node:readline/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { SkiffError } from '../../repository/index.ts';
import type { Out } from '../output.ts';
import type { Env } from '../repo/context.ts';
import type { ClusterClient, ClusterFlags } from './client.ts';
import { clusterFlags } from './flags.ts';

export interface ClusterContext {
  readonly out: Out;
  readonly e: Env;
  connect(flags: ClusterFlags): ClusterClient;
  /** Interval between status polls (--wait, download requests). */
  readonly pollMs: number;
  /** Asks a yes/no question on the terminal; false when there is no terminal. */
  confirm(question: string): Promise<boolean>;
}

export function client(ctx: ClusterContext, o: ClusterFlags): ClusterClient {
  return ctx.connect(clusterFlags(o));
}

/** Asks on process.stdin when it is a terminal. */
export async function askOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} (Y/N)? `)).trim());
  } finally {
    rl.close();
  }
}

/** Refuses unless --confirm/--force was given or the user says yes on the terminal. */
export async function requireConfirmation(ctx: ClusterContext, given: boolean | undefined, question: string, flag: string): Promise<void> {
  if (given === true) return;
  if (await ctx.confirm(question)) return;
  throw new SkiffError('Cancelled', `not confirmed: pass ${flag} to proceed without a question`);
}

/**
 * Polls `probe` every ctx.pollMs until it returns a value; throws SkiffError Transient after
 * `timeoutMs` (no limit when undefined) with `what` in the message.
 */
export async function pollFor<T>(ctx: ClusterContext, what: string, probe: () => Promise<T | undefined>, timeoutMs?: number): Promise<T> {
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() >= deadline) throw new SkiffError('Transient', `timed out after ${Math.round((timeoutMs ?? 0) / 1000)}s waiting for ${what}`);
    await sleep(ctx.pollMs);
  }
}
