import test from 'ava';
import { SkiffError } from '../errors/errors.ts';
import { mapS3Error } from './s3-errors.ts';

const ctx = { endpoint: 'https://s3.example.com', bucket: 'bk', key: 'p/config' };

/** shaped like the SDK's S3ServiceException */
function sdkError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });
}
function sysError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code });
}

const cases: Array<[string, unknown, SkiffError['code'], typeof ctx | Omit<typeof ctx, 'key'>]> = [
  ['NoSuchKey', sdkError('NoSuchKey', 404), 'NotFound', ctx],
  ['HEAD 404', sdkError('NotFound', 404), 'NotFound', ctx],
  ['NoSuchBucket', sdkError('NoSuchBucket', 404), 'Config', ctx],
  ['HeadBucket 404', sdkError('NotFound', 404), 'Config', { endpoint: ctx.endpoint, bucket: ctx.bucket }],
  ['403', sdkError('Unknown', 403), 'Auth', ctx],
  ['SignatureDoesNotMatch', sdkError('SignatureDoesNotMatch', 403), 'Auth', ctx],
  ['InvalidAccessKeyId', sdkError('InvalidAccessKeyId', 403), 'Auth', ctx],
  ['SlowDown', sdkError('SlowDown', 503), 'Transient', ctx],
  ['500', sdkError('InternalError', 500), 'Transient', ctx],
  ['429', sdkError('TooManyRequests', 429), 'Transient', ctx],
  ['BadDigest', sdkError('BadDigest', 400), 'Transient', ctx],
  ['InvalidRange', sdkError('InvalidRange', 416), 'Integrity', ctx],
  ['PermanentRedirect', sdkError('PermanentRedirect', 301), 'Config', ctx],
  ['400 other', sdkError('InvalidArgument', 400), 'Permanent', ctx],
  ['ECONNREFUSED', sysError('ECONNREFUSED'), 'Transient', ctx],
  ['ECONNRESET in cause', new Error('socket hang up', { cause: sysError('ECONNRESET') }), 'Transient', ctx],
  ['TimeoutError', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'Transient', ctx],
  ['TLS', sysError('DEPTH_ZERO_SELF_SIGNED_CERT'), 'Config', ctx],
  ['AbortError', Object.assign(new Error('aborted'), { name: 'AbortError' }), 'Cancelled', ctx],
  ['TypeError', new TypeError('x is not a function'), 'Permanent', ctx],
];

for (const [title, err, code, c] of cases) {
  test(`s3 errors: ${title} → ${code}`, (t) => {
    const mapped = mapS3Error(err, c);
    t.true(mapped instanceof SkiffError);
    t.is(mapped.code, code, mapped.message);
    t.is(mapped.cause, err);
    t.false(mapped.message.includes('\n'));
  });
}

test('s3 errors: messages name endpoint and bucket', (t) => {
  t.is(mapS3Error(sdkError('NoSuchBucket', 404), ctx).message, 'bucket bk does not exist at https://s3.example.com');
  t.is(mapS3Error(sysError('ENOTFOUND'), ctx).message, 'cannot reach https://s3.example.com: ENOTFOUND');
  t.regex(mapS3Error(sdkError('AccessDenied', 403), ctx).message, /access denied \(AccessDenied\) for bucket bk at https:\/\/s3\.example\.com/);
});

test('s3 errors: a SkiffError passes through unchanged', (t) => {
  const e = new SkiffError('Integrity', 'x');
  t.is(mapS3Error(e, ctx), e);
});
