import { readFileSync } from 'node:fs';
import { SkiffError } from '../errors/errors.ts';

/**
 * PEM text of a CA bundle given as PEM text or as a file path. Kept apart from s3-client.ts so
 * that S3Storage can check the bundle when it is constructed without loading the AWS SDK.
 */
export function readCaBundle(bundle: string): string {
  if (bundle.includes('-----BEGIN')) return bundle;
  try {
    return readFileSync(bundle, 'utf8');
  } catch (err) {
    throw new SkiffError('Config', `cannot read CA bundle ${bundle}`, { cause: err });
  }
}
