export { generatePolynomial, isIrreducible, polynomialFromHex, polynomialToHex } from './polynomial.ts';
export { type RepoConfig, encodeConfig, decodeConfig } from './config.ts';
export { type RepoVersion, encodeUnpacked, decodeUnpacked, MAX_UNPACKED_JSON } from './unpacked.ts';
export { DEFAULT_LEVEL, compressBlob, compressFrame, decompressBlob, decompressFrame } from './compression.ts';
export {
  type BlobType,
  type PackedBlob,
  encodePackHeader,
  decodePackHeader,
  headerEntrySize,
  packSize,
  PACK_FIXED_OVERHEAD,
} from './pack-header.ts';
export {
  type ReadPackHeaderOptions,
  assemblePackTail,
  readPackHeader,
  MAX_HEADER_SIZE,
  MIN_PACK_SIZE,
} from './pack-tail.ts';
export { type IndexFile, type IndexPack, type IndexBlob, encodeIndexJSON, decodeIndexJSON } from './index-json.ts';
export { isLowerHexId } from './ids.ts';
