export { type MasterKey, makeKey, newMasterKey, masterKeyToJSON, masterKeyFromJSON } from './master-key.ts';
export { OVERHEAD, seal, sealInto, open, openInto } from './seal.ts';
export {
  type KeyFile,
  type CreateKeyFileOptions,
  type ScryptParams,
  createKeyFile,
  parseKeyFile,
  openKeyFile,
} from './key-file.ts';
export { sha256, sha256Hex, newSha256 } from './hash.ts';
export { poly1305Mac } from './poly1305.ts';
