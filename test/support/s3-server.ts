/** The embedded S3 server for tests; the same launcher the CLI demo uses. */
import { startEmbeddedS3 } from '../../cli/embedded-s3.ts';
import type { EmbeddedS3, EmbeddedS3Options } from '../../cli/embedded-s3.ts';

export type { EmbeddedS3, EmbeddedS3Options };
export { startEmbeddedS3 };

/** Same as `startEmbeddedS3`; the name the storage tests use. */
export function startS3Server(opts: EmbeddedS3Options = {}): Promise<EmbeddedS3> {
  return startEmbeddedS3(opts);
}
