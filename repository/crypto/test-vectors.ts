import { makeKey, type MasterKey } from './master-key.ts';

/** The §2.3 vector of restic-format.md (also the master key of the §12 worked example). */
export const VECTOR = {
  enc: 'c6072170d758e5358d717360829bd1f9b1603b355b5f7fe375d1aabdca7a20de',
  k: 'fcf135fbe35cac752d0f34741bc4a6a3',
  rRaw: '4456d22aa88ba9c70b11ae95def49888',
  rClamped: '4456d20aa88ba9070811ae05dcf49808',
  nonce: 'e889d30b85421e8cc830d15f3b5008c1',
  plaintext: 'hello, restic\n',
  ciphertext: 'dbb3c34eb1aedf671f286fb00918',
  tag: 'ef3c01579d8fb60d8d4492f50d886b9a',
  masterJSON:
    '{"mac":{"k":"/PE1++NcrHUtDzR0G8Smow==","r":"RFbSCqiLqQcIEa4F3PSYCA=="},' +
    '"encrypt":"xgchcNdY5TWNcXNggpvR+bFgOzVbX3/jddGqvcp6IN4="}',
} as const;

export function vectorKey(): MasterKey {
  const h = (s: string): Buffer => Buffer.from(s, 'hex');
  return makeKey(h(VECTOR.enc), h(VECTOR.k), h(VECTOR.rRaw));
}
