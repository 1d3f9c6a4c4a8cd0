/**
 * Commander argument parsers shared by the long-running commands (`server`, `node-agent`,
 * `restore-helper`): a bad value is a usage error (exit 2) at parse time, never later.
 */
import { InvalidArgumentError } from 'commander';
import { LOG_LEVELS, parseGoDuration, parseListenAddress } from '../controller/runtime/index.ts';

export function parseBool(v: string): boolean {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new InvalidArgumentError('want true or false');
}

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('want a positive integer');
  return n;
}

/** A positive Go duration (`4h`, `90m`) in milliseconds. */
export function goDuration(v: string): number {
  let ms: number;
  try {
    ms = parseGoDuration(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  if (ms <= 0) throw new InvalidArgumentError('want a positive duration, e.g. 4h or 10m');
  return ms;
}

/** `host:port`, `:port`, or '' / 'off' for "not served" (undefined). */
export function listenAddress(v: string): { host: string; port: number } | undefined {
  if (v === '' || v === 'off') return undefined;
  return parseListenAddress(v);
}

/** Checks an address at parse time and keeps the text (see `listenAddress`). */
export function checkAddress(v: string): string {
  try {
    listenAddress(v);
    return v;
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function checkLevel(v: string): string {
  if (!(LOG_LEVELS as readonly string[]).includes(v)) throw new InvalidArgumentError(`want one of ${LOG_LEVELS.join(', ')}`);
  return v;
}

export function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
