/** Exit codes, as restic's where they mean the same. */
import { SkiffError } from '../repository/index.ts';

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** backup finished, but some files could not be read */
  incomplete: 3,
  noRepository: 10,
  locked: 11,
  wrongPassword: 12,
} as const;

export function exitCodeFor(err: unknown): number {
  if (!(err instanceof SkiffError)) return EXIT.failure;
  switch (err.code) {
    case 'Locked':
      return EXIT.locked;
    case 'Auth':
      return /password/.test(err.message) ? EXIT.wrongPassword : EXIT.failure;
    case 'NotFound':
      return /no repository/.test(err.message) ? EXIT.noRepository : EXIT.failure;
    default:
      return EXIT.failure;
  }
}
