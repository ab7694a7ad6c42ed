// Version 50: the command ledger keeps a hash of each applied command's canonical payload, so a reused
// commandId with a different payload is answered `conflict` instead of silently returning the old
// result. Rows applied before this version have no hash and keep the old rule (same actor and action).
export const sql = `
ALTER TABLE commands ADD COLUMN payload_hash TEXT;
`;
