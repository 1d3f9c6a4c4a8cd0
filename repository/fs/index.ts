export { nodeFromPath, readXattrs, type NodeFromPathOptions } from './node-from-path.ts';
export { listDir, type DirListing } from './dir-listing.ts';
export { applyMetadata, type ApplyOptions, type ApplyResult } from './apply-metadata.ts';
export { createSpecial, type CreateSpecialOptions } from './create-special.ts';
export { UserNames, type UserNamesOptions } from './user-names.ts';
export {
  nativeAvailable,
  nativeLoadError,
  takeNativeWarning,
  setTimes,
  listXattrs,
  getXattr,
  setXattr,
  makeDevice,
  makeFifo,
  type PathArg,
} from './native.ts';
export { errnoCode, fsError } from './fs-error.ts';
