import { SkiffError, type ErrorCode } from '../../repository/errors/errors.ts';

/**
 * An answer from the Kubernetes API server that was not a success, or a failure to reach it.
 * `code` follows SkiffError (NotFound 404, Conflict 409, Auth 401/403, Permanent 400/422,
 * Transient 410/429/5xx and network errors, Cancelled on abort); `status` is the HTTP status
 * (undefined for network failures) and `reason` the API server's `Status.reason`
 * (`AlreadyExists`, `Conflict`, `Expired`, `Gone`, `Invalid`, ...).
 */
export class KubeApiError extends SkiffError {
  readonly status: number | undefined;
  readonly reason: string | undefined;
  constructor(code: ErrorCode, message: string, opts: { status?: number; reason?: string; cause?: unknown } = {}) {
    super(code, message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'KubeApiError';
    this.status = opts.status;
    this.reason = opts.reason;
  }
}

/** The API server's `metav1.Status` as returned in error bodies and watch ERROR events. */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
}

function codeFor(status: number): ErrorCode {
  if (status === 404) return 'NotFound';
  if (status === 409) return 'Conflict';
  if (status === 401 || status === 403) return 'Auth';
  if (status === 410 || status === 429 || status >= 500) return 'Transient';
  return 'Permanent';
}

/** Maps an HTTP status and optional Status body to a KubeApiError; `what` is e.g. `GET /api/v1/pods`. */
export function apiErrorFromStatus(what: string, status: number, body?: KubeStatus): KubeApiError {
  const reason = body?.reason !== undefined && body.reason !== '' ? body.reason : undefined;
  const text = firstLine(body?.message ?? '') || `HTTP ${status}`;
  return new KubeApiError(codeFor(status), `${what}: ${text}`, { status, ...(reason === undefined ? {} : { reason }) });
}

/** Maps a thrown network or abort error from a request to a KubeApiError. */
export function apiErrorFromNetwork(what: string, server: string, err: unknown): KubeApiError {
  if (err instanceof KubeApiError) return err;
  const e = err as { name?: string; code?: string; message?: string };
  if (e.name === 'AbortError' || e.code === 'ABORT_ERR') {
    return new KubeApiError('Cancelled', `${what}: cancelled`, { cause: err });
  }
  const detail = e.code ?? firstLine(e.message ?? String(err));
  return new KubeApiError('Transient', `${what}: cannot reach the API server at ${server}: ${detail}`, { cause: err });
}

function firstLine(s: string): string {
  const line = s.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** 404: the object (or resource type) does not exist. */
export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}

/** 409 AlreadyExists on create. */
export function isAlreadyExists(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409 && err.reason === 'AlreadyExists';
}

/** 409 Conflict: a resourceVersion precondition failed (someone else wrote first). */
export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409 && err.reason !== 'AlreadyExists';
}

/** 410 Gone / Expired: a watch or list continue token's resourceVersion is too old; list again. */
export function isGone(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 410;
}
