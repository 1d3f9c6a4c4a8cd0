// The cluster side of the `skiff` command: install/uninstall and the Backup, Restore, Schedule
// and BackupStorageLocation verbs. Talks to the API server only; never runs reconcilers.
import type { Command } from 'commander';
import type { Out } from '../output.ts';
import type { Env } from '../repo/context.ts';
import { registerBackupCommands } from './backup-commands.ts';
import type { ClusterClient, ClusterFlags } from './client.ts';
import { type ClusterContext, askOnTerminal } from './context.ts';
import { registerInstall } from './install-command.ts';
import { connectKube } from './kube.ts';
import { registerBackupLocation } from './location-commands.ts';
import { registerRestore } from './restore-commands.ts';
import { registerSchedule } from './schedule-commands.ts';
import { registerVersion } from './version-command.ts';

export interface ClusterHooks {
  /** Replaces the API server connection (tests). */
  connect?: (flags: ClusterFlags) => ClusterClient;
  pollMs?: number;
  confirm?: (question: string) => Promise<boolean>;
}

export function registerCluster(program: Command, e: Env, out: Out, hooks: ClusterHooks = {}): void {
  const pollMs = hooks.pollMs ?? Number(e.env['SKIFF_POLL_MS'] ?? 500);
  const ctx: ClusterContext = {
    out,
    e,
    connect: hooks.connect ?? ((flags) => connectKube(flags, e.env)),
    pollMs: Number.isFinite(pollMs) && pollMs > 0 ? pollMs : 500,
    confirm: hooks.confirm ?? askOnTerminal,
  };
  registerInstall(program, ctx);
  registerBackupCommands(program, ctx);
  registerRestore(program, ctx);
  registerSchedule(program, ctx);
  registerBackupLocation(program, ctx);
  registerVersion(program, ctx);
}

export type { ClusterClient, ClusterFlags, ObjectRef } from './client.ts';
export { connectKube, loadKubeConfig } from './kube.ts';
export { parseLabelSelector, formatLabelSelector } from './selector.ts';
