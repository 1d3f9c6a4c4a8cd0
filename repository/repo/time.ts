import { formatRFC3339Nano, goTimeFromStat } from '../tree/index.ts';

/** A Date as restic writes times: RFC 3339 with the local offset (millisecond precision here). */
export function rfc3339(d: Date): string {
  return formatRFC3339Nano(goTimeFromStat(BigInt(d.getTime()) * 1_000_000n));
}

/** The current time from an injected clock (default: the system clock). */
export function rfc3339Now(now: (() => Date) | undefined): string {
  return rfc3339((now ?? (() => new Date()))());
}
