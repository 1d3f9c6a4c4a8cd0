import { inspect } from 'node:util';

const MASK = '[redacted]';

/**
 * A secret value that prints as `[redacted]` through `String()`, template strings, `JSON.stringify`,
 * `util.inspect` (console.log) and loggers. `reveal()` is the only way to the value; call it at the
 * point of use and never store the result in a long-lived object that is logged.
 */
export class Redacted<T> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return MASK;
  }
}

/** Paths pino censors in every log line (secrets that slipped into a log object by mistake). */
export const REDACT_PATHS: readonly string[] = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'secretAccessKey',
  '*.secretAccessKey',
  'credentials',
  '*.credentials',
  'aws_secret_access_key',
  '*.aws_secret_access_key',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'secretData',
];
