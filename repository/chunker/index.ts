export {
  type ChunkSizes,
  type ChunkerParams,
  DEFAULT_SIZES,
  validateChunkerParams,
  makeChunkerParams,
} from './params.ts';
export { gearTableFromKey } from './gear.ts';
export { findCut, chunkBuffer } from './find-cut.ts';
export { type ChunkSource, type ChunkFileOptions, type Chunk, chunkFile } from './chunk-file.ts';
