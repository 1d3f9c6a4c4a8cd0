/** Stable error codes; callers branch on `code`, never on message text. */
export type ErrorCode =
  | 'NotFound'
  | 'Transient'
  | 'Permanent'
  | 'Integrity'
  | 'Conflict'
  | 'Cancelled'
  | 'Config'
  | 'Auth'
  | 'Locked';

/** The one error class of the engine. `message` is a single line fit for a user. */
export class SkiffError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SkiffError';
    this.code = code;
  }
}

export function isCode(err: unknown, code: ErrorCode): boolean {
  return err instanceof SkiffError && err.code === code;
}
