import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

/**
 * Logon authentication: a counterparty's Username (553) and Password (554) checked against a salted scrypt hash
 * kept in the configuration (`scrypt$<N>$<salt hex>$<hash hex>`), compared in constant time. The password itself
 * is never kept, logged or journaled (the session stores no administrative message bodies).
 */
const N = 16384;
const KEY_LENGTH = 32;

/** A salted hash of a password, for the configuration. The salt comes from the system's random source. */
export function hashPassword(password: string, salt: Buffer = randomBytes(16), cost = N): string {
  const key = scryptSync(password, salt, KEY_LENGTH, { N: cost });
  return `scrypt$${cost}$${salt.toString('hex')}$${key.toString('hex')}`;
}

const FORMAT = /^scrypt\$(\d+)\$([0-9a-f]{2,})\$([0-9a-f]{2,})$/;

/** Whether a stored hash is of the form hashPassword writes. */
export function isPasswordHash(stored: string): boolean {
  const m = FORMAT.exec(stored);
  return m !== null && Number(m[1]) >= 2 && (Number(m[1]) & (Number(m[1]) - 1)) === 0 && m[2]!.length % 2 === 0 && m[3]!.length % 2 === 0;
}

/** Whether a password matches a stored hash (constant time in the comparison of the keys). */
export function verifyPassword(password: string, stored: string): boolean {
  const m = FORMAT.exec(stored);
  if (!m || !isPasswordHash(stored)) return false;
  const want = Buffer.from(m[3]!, 'hex');
  const got = scryptSync(password, Buffer.from(m[2]!, 'hex'), want.length, { N: Number(m[1]) });
  return timingSafeEqual(got, want);
}

export interface Credential {
  /** The counterparty's SenderCompID. */
  compId: string;
  username: string;
  /** hashPassword's output. */
  passwordHash: string;
}

/**
 * The acceptor's check for a session's Logons: the Username must be the one configured for the counterparty's
 * CompID and the Password must match its hash. The reason given is the same for a wrong name and a wrong password.
 */
export function authenticator(creds: readonly Credential[]): (logon: { compId: string; username?: string; password?: string }) => string | null {
  return ({ compId, username, password }) => {
    const c = creds.find((x) => x.compId === compId);
    if (!c) return 'Unknown CompID';
    if (username === undefined || password === undefined) return 'Logon refused: Username (553) and Password (554) required';
    // the hash is computed whether or not the name matches, so that timing does not tell a wrong name apart
    const ok = verifyPassword(password, c.passwordHash);
    return ok && username === c.username ? null : 'Logon refused: wrong Username or Password';
  };
}
