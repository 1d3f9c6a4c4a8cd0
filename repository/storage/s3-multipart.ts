import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { SkiffError } from '../errors/errors.ts';

export interface MultipartUpload {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly body: Buffer;
  readonly partSize: number;
  readonly queueSize: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * Uploads a large in-memory object with lib-storage's multipart Upload (each part carries
 * Content-MD5, see s3-client.ts), aborts the upload on failure or cancel, and checks the stored
 * size afterwards: an upload we cannot account for is not trusted. Throws raw SDK errors.
 */
export async function uploadMultipart(u: MultipartUpload): Promise<void> {
  const upload = new Upload({
    client: u.client,
    params: { Bucket: u.bucket, Key: u.key, Body: u.body, ContentType: 'application/octet-stream' },
    partSize: u.partSize,
    queueSize: u.queueSize,
    leavePartsOnError: false,
  });
  const onAbort = (): void => void upload.abort().catch(() => undefined);
  u.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await upload.done();
  } finally {
    u.signal?.removeEventListener('abort', onAbort);
  }
  const head = await u.client.send(new HeadObjectCommand({ Bucket: u.bucket, Key: u.key }));
  if (head.ContentLength !== u.body.length) {
    throw new SkiffError('Transient', `multipart upload of ${u.key} stored ${head.ContentLength} bytes, sent ${u.body.length}`);
  }
}
