import { SkiffError } from '../errors/errors.ts';

/** What the mapper needs to say where a failure happened. Never holds credentials. */
export interface S3ErrorContext {
  /** e.g. `http://127.0.0.1:9000` or `AWS S3` */
  readonly endpoint: string;
  readonly bucket: string;
  /** the object key, or undefined for bucket operations */
  readonly key?: string;
}

const AUTH_NAMES = new Set([
  'AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken',
  'TokenRefreshRequired', 'InvalidClientTokenId', 'AccountProblem', 'CredentialsProviderError',
]);
const TRANSIENT_NAMES = new Set([
  'SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'RequestTimeTooSkewed',
  'InternalError', 'ServiceUnavailable', 'TimeoutError', 'RequestTimeoutException', 'BadDigest',
  'IncompleteBody', 'XAmzContentSHA256Mismatch',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED',
  'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET', 'ERR_HTTP2_STREAM_ERROR',
]);
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID', 'EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER',
]);

interface ErrorFacts {
  name: string;
  status: number | undefined;
  code: string | undefined;
  message: string;
}

/** Reads name, HTTP status and errno-style code from an SDK or Node error (and its causes). */
function facts(err: unknown): ErrorFacts {
  const out: ErrorFacts = { name: '', status: undefined, code: undefined, message: String(err) };
  let e: unknown = err;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const o = e as { name?: unknown; code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown }; cause?: unknown };
    if (depth === 0) {
      if (typeof o.name === 'string') out.name = o.name;
      if (typeof o.message === 'string') out.message = o.message;
      if (typeof o.$metadata?.httpStatusCode === 'number') out.status = o.$metadata.httpStatusCode;
    }
    if (out.code === undefined && typeof o.code === 'string') out.code = o.code;
    e = o.cause;
  }
  return out;
}

/**
 * Maps an error thrown by @aws-sdk/client-s3 (or the socket below it) to a SkiffError.
 * A 404 on an object is NotFound; a missing bucket is Config; credentials problems are Auth;
 * network failures, timeouts, throttling and 5xx are Transient; a range past the end is Integrity.
 */
export function mapS3Error(err: unknown, ctx: S3ErrorContext): SkiffError {
  if (err instanceof SkiffError) return err;
  const f = facts(err);
  const where = `bucket ${ctx.bucket} at ${ctx.endpoint}`;
  const what = ctx.key === undefined ? where : `${ctx.key} in ${where}`;
  const named = f.name !== '' && f.name !== 'Error' && f.name !== 'Unknown' ? f.name : f.code;
  const detail = named ?? `HTTP ${f.status ?? '?'}`;
  const opt = { cause: err };

  if (f.name === 'AbortError' || f.code === 'ABORT_ERR') return new SkiffError('Cancelled', 'operation cancelled', opt);
  if (f.name === 'NoSuchBucket' || (f.status === 404 && ctx.key === undefined)) {
    return new SkiffError('Config', `bucket ${ctx.bucket} does not exist at ${ctx.endpoint}`, opt);
  }
  if (f.name === 'NoSuchKey' || f.name === 'NotFound' || f.status === 404) {
    return new SkiffError('NotFound', `${what} not found`, opt);
  }
  if (AUTH_NAMES.has(f.name) || f.status === 401 || f.status === 403) {
    if (f.name === 'CredentialsProviderError') {
      return new SkiffError('Auth', `no S3 credentials found for ${where}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE`, opt);
    }
    return new SkiffError('Auth', `access denied (${detail}) for ${where}: check the access key and secret`, opt);
  }
  if (f.name === 'InvalidRange' || f.status === 416) {
    return new SkiffError('Integrity', `short read of ${what}: range past the end of the object`, opt);
  }
  if (f.code !== undefined && TLS_CODES.has(f.code)) {
    return new SkiffError('Config', `TLS verification failed for ${ctx.endpoint} (${f.code}): set a CA bundle (SKIFF_CACERT)`, opt);
  }
  if (f.name === 'PermanentRedirect' || f.name === 'AuthorizationHeaderMalformed' || f.status === 301) {
    return new SkiffError('Config', `${where} answered ${detail}: check the region and endpoint`, opt);
  }
  if (f.code !== undefined && NETWORK_CODES.has(f.code)) {
    return new SkiffError('Transient', `cannot reach ${ctx.endpoint}: ${f.code}`, opt);
  }
  if (TRANSIENT_NAMES.has(f.name) || f.status === 429 || (f.status !== undefined && f.status >= 500)) {
    return new SkiffError('Transient', `${what}: ${detail} (temporary, retried)`, opt);
  }
  if (f.status === undefined && !(err instanceof TypeError || err instanceof RangeError)) {
    // no HTTP answer at all: the connection failed in a way we do not know by name
    return new SkiffError('Transient', `cannot reach ${ctx.endpoint}: ${firstLine(f.message)}`, opt);
  }
  return new SkiffError('Permanent', `${what}: ${detail}: ${firstLine(f.message)}`, opt);
}

function firstLine(s: string): string {
  const line = s.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
