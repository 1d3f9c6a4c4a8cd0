import type { Command } from 'commander';
import { addKey, changePassword, listKeys, listLocks, removeKey, unlock } from '../../repository/index.ts';
import { table, type Out } from '../output.ts';
import { openRepo, readPassword, type Env, type GlobalOptions } from './context.ts';
import { withLock } from './with-lock.ts';

const NEW_PASSWORD = { env: ['SKIFF_NEW_PASSWORD', 'RESTIC_NEW_PASSWORD'], what: 'new password' } as const;

export function registerKey(repo: Command, g: () => GlobalOptions, e: Env, out: Out): void {
  const key = repo.command('key').description('manage the passwords (keys) of a repository');
  key
    .command('list')
    .action(async () => {
      const r = await openRepo(g(), e);
      const keys = await listKeys(r);
      if (out.json) return out.data(keys.map((k) => ({ id: k.id, current: k.current, userName: k.username, hostName: k.hostname, created: k.created })));
      out.line(table([[' ID', 'User', 'Host', 'Created'], ...keys.map((k) => [`${k.current ? '*' : ' '}${k.id.slice(0, 8)}`, k.username, k.hostname, k.created.slice(0, 19).replace('T', ' ')])]));
    });
  const newPw = (c: Command) =>
    c.option('--new-password-file <file>', 'file holding the new password').option('--new-password-command <cmd>', 'command printing the new password');
  newPw(key.command('add').description('add a key for a new password')).action(async (o: { newPasswordFile?: string; newPasswordCommand?: string }) => {
    const r = await openRepo(g(), e);
    const pw = await readPassword({ passwordFile: o.newPasswordFile, passwordCommand: o.newPasswordCommand }, e, NEW_PASSWORD);
    const id = await addKey(r, pw);
    out.json ? out.data({ id }) : out.line(`saved new key ${id.slice(0, 8)}`);
  });
  newPw(key.command('passwd').description('change the password of the key in use')).action(async (o: { newPasswordFile?: string; newPasswordCommand?: string }) => {
    const r = await openRepo(g(), e);
    const pw = await readPassword({ passwordFile: o.newPasswordFile, passwordCommand: o.newPasswordCommand }, e, NEW_PASSWORD);
    const id = await withLock(r, true, () => changePassword(r, pw));
    out.json ? out.data({ id }) : out.line(`saved new key ${id.slice(0, 8)}, removed the old one`);
  });
  key
    .command('remove')
    .argument('<id>')
    .action(async (id: string) => {
      const r = await openRepo(g(), e);
      await withLock(r, true, () => removeKey(r, id));
      out.json ? out.data({ removed: id }) : out.line(`removed key ${id}`);
    });
}

export function registerUnlock(repo: Command, g: () => GlobalOptions, e: Env, out: Out): void {
  repo
    .command('unlock')
    .description('remove stale locks (all locks with --remove-all)')
    .option('--remove-all', 'remove every lock, also ones in use')
    .action(async (o: { removeAll?: boolean }) => {
      const r = await openRepo(g(), e);
      const removed = await unlock(r, { all: Boolean(o.removeAll) });
      const left = await listLocks(r);
      if (out.json) return out.data({ removed, remaining: left.map((l) => ({ id: l.id, ...l.info })) });
      out.line(`removed ${removed.length} lock(s)`);
      for (const l of left) out.line(`still locked by PID ${l.info.pid} on ${l.info.hostname} since ${l.info.time}`);
    });
}
