/**
 * uid → user name and gid → group name, as restic records them in nodes (`user`, `group`).
 * /etc/passwd and /etc/group are read once, on first use; an unknown id or an unreadable file
 * gives '' (the field is then omitted).
 */
import { readFile } from 'node:fs/promises';

export interface UserNamesOptions {
  passwdPath?: string;
  groupPath?: string;
}

async function loadIds(path: string): Promise<Map<number, string>> {
  const ids = new Map<number, string>();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return ids;
  }
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const fields = line.split(':');
    const name = fields[0] ?? '';
    const idText = fields[2] ?? '';
    const id = /^[0-9]+$/.test(idText) ? Number(idText) : NaN;
    // The first entry wins, as getpwuid/getgrgid return it.
    if (name !== '' && Number.isSafeInteger(id) && !ids.has(id)) ids.set(id, name);
  }
  return ids;
}

export class UserNames {
  readonly #passwdPath: string;
  readonly #groupPath: string;
  #users: Promise<Map<number, string>> | undefined;
  #groups: Promise<Map<number, string>> | undefined;

  constructor(opts: UserNamesOptions = {}) {
    this.#passwdPath = opts.passwdPath ?? '/etc/passwd';
    this.#groupPath = opts.groupPath ?? '/etc/group';
  }

  /** Both tables, loaded once: for callers that look up many ids without awaiting each. */
  async tables(): Promise<{ readonly users: ReadonlyMap<number, string>; readonly groups: ReadonlyMap<number, string> }> {
    this.#users ??= loadIds(this.#passwdPath);
    this.#groups ??= loadIds(this.#groupPath);
    return { users: await this.#users, groups: await this.#groups };
  }

  async userName(uid: number): Promise<string> {
    this.#users ??= loadIds(this.#passwdPath);
    return (await this.#users).get(uid) ?? '';
  }

  async groupName(gid: number): Promise<string> {
    this.#groups ??= loadIds(this.#groupPath);
    return (await this.#groups).get(gid) ?? '';
  }
}
