import { SkiffError } from '../errors/errors.ts';

/** A parsed repository location. */
export type RepositoryUrl =
  | { readonly kind: 'local'; readonly path: string }
  | {
      readonly kind: 's3';
      /** `http(s)://host[:port]`; absent for AWS itself */
      readonly endpoint?: string;
      readonly bucket: string;
      /** cleaned like Go's path.Clean; '' is the bucket root */
      readonly prefix: string;
      readonly forcePathStyle: boolean;
      readonly tls: boolean;
      /** set for regional AWS hosts such as s3.eu-west-1.amazonaws.com */
      readonly region?: string;
    };

/** restic backends we recognise by name but do not implement */
const UNSUPPORTED = ['sftp', 'rest', 'swift', 'b2', 'azure', 'gs', 'rclone'];
const AWS_HOST = /^s3(?:[.-]([a-z0-9-]+))?\.amazonaws\.com$/;

/**
 * Parses a repository URL the way restic does:
 * `/abs/path`, `relative/path`, `local:/path` are directories;
 * `s3:http://host:port/bucket/prefix`, `s3:https://host/bucket/prefix`, `s3://host/bucket/prefix`,
 * `s3:host/bucket/prefix` (https) and `s3:s3.amazonaws.com/bucket/prefix` (AWS) are S3.
 * Throws `Config` for a malformed URL.
 */
export function parseRepositoryUrl(url: string): RepositoryUrl {
  if (url.trim() === '') throw new SkiffError('Config', 'repository location is empty');
  if (url.startsWith('local:')) {
    const p = url.slice('local:'.length);
    if (p === '') throw new SkiffError('Config', 'local: repository needs a path');
    return { kind: 'local', path: p };
  }
  if (url.startsWith('s3:')) return parseS3(url);
  const scheme = /^([a-z0-9]+):/.exec(url)?.[1];
  if (scheme !== undefined && UNSUPPORTED.includes(scheme)) {
    throw new SkiffError('Config', `backend ${scheme} is not supported (use a local path or s3:)`);
  }
  return { kind: 'local', path: url };
}

function parseS3(url: string): RepositoryUrl {
  let scheme: 'http' | 'https' = 'https';
  let rest: string;
  if (url.startsWith('s3:http://') || url.startsWith('s3:https://')) {
    scheme = url.startsWith('s3:http://') ? 'http' : 'https';
    rest = url.slice(`s3:${scheme}://`.length);
  } else if (url.startsWith('s3://')) {
    rest = url.slice('s3://'.length);
  } else {
    rest = url.slice('s3:'.length);
  }
  const [host = '', afterHost = ''] = cut(rest, '/');
  const [bucket = '', rawPrefix = ''] = cut(afterHost, '/');
  if (host === '') throw new SkiffError('Config', `invalid S3 repository ${url}: no host`);
  if (bucket === '') throw new SkiffError('Config', `invalid S3 repository ${url}: no bucket (expected s3:host/bucket[/prefix])`);
  if (/[?#]/.test(host) || /[?#]/.test(bucket)) {
    throw new SkiffError('Config', `invalid S3 repository ${url}: unexpected query or fragment`);
  }
  const prefix = rawPrefix === '' ? '' : cleanPath(rawPrefix);
  const aws = AWS_HOST.exec(host.toLowerCase());
  if (aws !== null && scheme === 'https') {
    const region = aws[1];
    return {
      kind: 's3', bucket, prefix, forcePathStyle: false, tls: true,
      ...(region !== undefined && region !== 'external-1' ? { region } : {}),
    };
  }
  return { kind: 's3', endpoint: `${scheme}://${host}`, bucket, prefix, forcePathStyle: true, tls: scheme === 'https' };
}

function cut(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + sep.length)];
}

/** Go's path.Clean, except that '.' (nothing left) becomes ''. */
export function cleanPath(p: string): string {
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined;
}
