/** `skiff backup create|get|describe|logs|delete|download`. */
import type { Command } from 'commander';
import { registerBackupCreate } from './backup-create.ts';
import { registerBackupGet } from './backup-get.ts';
import { registerBackupOps } from './backup-ops.ts';
import type { ClusterContext } from './context.ts';

export function registerBackupCommands(program: Command, ctx: ClusterContext): void {
  const backup = program.command('backup').description('work with backups of cluster resources');
  registerBackupCreate(backup, ctx);
  registerBackupGet(backup, ctx);
  registerBackupOps(backup, ctx);
}
