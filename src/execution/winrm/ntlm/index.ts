export { md4 } from './md4.js';
export { fileTime, hmacMd5, ntlmv2Blob, ntowfv2, ntProof } from './ntlmv2.js';
export {
  authenticateMessage,
  findAvPair,
  negotiateMessage,
  NTLM_FLAGS,
  NtlmMessageError,
  parseAuthenticateMessage,
  parseChallengeMessage,
  splitNtlmUser,
  type ChallengeMessage,
  type NtlmCredentials,
  type ParsedAuthenticate,
} from './messages.js';
