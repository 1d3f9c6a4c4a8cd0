/**
 * The AWS SDK, loaded on first use. Importing @aws-sdk/client-s3 costs about 80 ms and 30 MiB at
 * start-up, which every command paid even for a local repository; S3Storage imports it (and the
 * modules built on it) through here when it sends its first request.
 */
import type * as ClientS3 from '@aws-sdk/client-s3';
import type * as S3Client from './s3-client.ts';
import type * as S3Multipart from './s3-multipart.ts';

export interface S3Sdk {
  readonly s3: typeof ClientS3;
  readonly buildS3Client: typeof S3Client.buildS3Client;
  readonly uploadMultipart: typeof S3Multipart.uploadMultipart;
}

let loading: Promise<S3Sdk> | undefined;

export function loadS3Sdk(): Promise<S3Sdk> {
  loading ??= Promise.all([import('@aws-sdk/client-s3'), import('./s3-client.ts'), import('./s3-multipart.ts')]).then(([s3, client, multipart]) => ({
    s3,
    buildS3Client: client.buildS3Client,
    uploadMultipart: multipart.uploadMultipart,
  }));
  return loading;
}
