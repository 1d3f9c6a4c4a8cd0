export { goQuote, goUnquote, isGoPrint } from './go-quote.ts';
export { goJSONString, goJSONBytes, parseJSONWithUint64 } from './go-json.ts';
export {
  type GoTime,
  ZERO_TIME,
  formatRFC3339Nano,
  parseRFC3339Nano,
  canonicalRFC3339,
  goTimeFromStat,
  goTimeFromDate,
  localOffsetMinutes,
  epochNs,
} from './go-time.ts';
export {
  MODE_DIR,
  MODE_APPEND,
  MODE_EXCLUSIVE,
  MODE_TEMPORARY,
  MODE_SYMLINK,
  MODE_DEVICE,
  MODE_NAMED_PIPE,
  MODE_SOCKET,
  MODE_SETUID,
  MODE_SETGID,
  MODE_CHAR_DEVICE,
  MODE_STICKY,
  MODE_IRREGULAR,
  MODE_PERM,
  goModeFromPosix,
  posixPermFromGoMode,
  nodeTypeFromPosix,
} from './file-mode.ts';
export { type Node, type NodeType, type ExtendedAttribute, NODE_TYPES, VALID_CONTENT, encodeNode } from './node.ts';
export { decodeNode, checkName } from './node-decode.ts';
export { encodeTree, decodeTree, compareNames, findNode } from './tree.ts';
export { type Snapshot, type SnapshotSummary, encodeSnapshot, decodeSnapshot } from './snapshot.ts';
export { type LockInfo, encodeLock, decodeLock } from './lock.ts';
export { decodeRune, isValidUtf8 } from './utf8.ts';
export { formatUnixTime, cachedLocalOffset, timeShape, checkTime, TIME_CANONICAL, TIME_INVALID, TIME_OTHER } from './go-time-fast.ts';
