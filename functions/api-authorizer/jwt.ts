/**
 * RS256 JWT verification against a Cognito user pool's public keys (JWKS), with no call to Cognito per
 * request and none at all while a key is known: tokens keep verifying in every region when the pool's
 * region is down (docs/api.md#authentication).
 *
 * Keys come from, in order: memory; the region-local copy (an SSM parameter this function refreshes);
 * the pool's JWKS URL (after which the local copy is rewritten). An unknown `kid` triggers at most one
 * remote fetch per `refetchIntervalMs`, so random kids cannot make the authorizer hammer Cognito.
 */
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

export class TokenError extends Error {
  override readonly name = 'TokenError';
}

export interface JwksDocument {
  readonly keys: readonly (JsonWebKey & { kid?: string; alg?: string; use?: string })[];
}

export interface JwksSourceOptions {
  /** The region-local copy, or undefined when none exists yet. */
  readonly readCopy: () => Promise<JwksDocument | undefined>;
  readonly writeCopy: (jwks: JwksDocument) => Promise<void>;
  /** The pool's `<issuer>/.well-known/jwks.json`. */
  readonly fetchRemote: () => Promise<JwksDocument>;
  /** @default 60_000 */
  readonly refetchIntervalMs?: number;
  readonly onSourceError: (error: unknown, source: 'copy' | 'remote' | 'write-copy') => void;
  readonly now?: () => number;
}

export class JwksSource {
  private keys = new Map<string, KeyObject>();
  private copyRead = false;
  private lastFetch = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: JwksSourceOptions) {}

  async key(kid: string): Promise<KeyObject | undefined> {
    const known = this.keys.get(kid);
    if (known) return known;
    if (!this.copyRead) {
      this.copyRead = true;
      try {
        const copy = await this.options.readCopy();
        if (copy) this.load(copy);
      } catch (error) {
        this.options.onSourceError(error, 'copy');
      }
      const fromCopy = this.keys.get(kid);
      if (fromCopy) return fromCopy;
    }
    const now = (this.options.now ?? Date.now)();
    if (now - this.lastFetch < (this.options.refetchIntervalMs ?? 60_000)) return undefined;
    this.lastFetch = now;
    let remote: JwksDocument;
    try {
      remote = await this.options.fetchRemote();
    } catch (error) {
      this.options.onSourceError(error, 'remote');
      return undefined;
    }
    this.load(remote);
    try {
      await this.options.writeCopy(remote);
    } catch (error) {
      this.options.onSourceError(error, 'write-copy');
    }
    return this.keys.get(kid);
  }

  private load(jwks: JwksDocument): void {
    for (const jwk of jwks.keys ?? []) {
      if (!jwk.kid || jwk.kty !== 'RSA' || (jwk.use && jwk.use !== 'sig')) continue;
      this.keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
    }
  }
}

export interface VerifyOptions {
  readonly issuer: string;
  /** The app client id: `client_id` of an access token, `aud` of an id token. */
  readonly clientId: string;
  /** Seconds of clock skew tolerated on exp / nbf / iat. @default 30 */
  readonly leewaySeconds?: number;
  readonly now?: () => number;
}

export interface VerifiedToken {
  readonly sub: string;
  readonly tokenUse: 'access' | 'id';
  readonly expiresAt: number;
  readonly claims: Readonly<Record<string, unknown>>;
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new TokenError(`malformed token ${what}`);
}

/** Verifies signature and claims; throws TokenError saying why a token is refused. */
export async function verifyJwt(token: string, jwks: JwksSource, options: VerifyOptions): Promise<VerifiedToken> {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw new TokenError('not a compact JWS');
  const header = decodeSegment(parts[0], 'header');
  // Only RS256: a token choosing `none` or an HMAC algorithm must never be accepted.
  if (header.alg !== 'RS256') throw new TokenError(`algorithm ${String(header.alg)} is not accepted`);
  if (typeof header.kid !== 'string') throw new TokenError('no key id (kid)');
  const key = await jwks.key(header.kid);
  if (!key) throw new TokenError(`unknown key id ${header.kid}`);
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  if (!verify('RSA-SHA256', signed, key, Buffer.from(parts[2], 'base64url'))) throw new TokenError('bad signature');
  const claims = decodeSegment(parts[1], 'payload');
  const now = Math.floor((options.now ?? Date.now)() / 1000);
  const leeway = options.leewaySeconds ?? 30;
  if (claims.iss !== options.issuer) throw new TokenError('wrong issuer');
  if (typeof claims.exp !== 'number' || claims.exp + leeway <= now) throw new TokenError('expired');
  if (typeof claims.nbf === 'number' && claims.nbf - leeway > now) throw new TokenError('not yet valid');
  const tokenUse = claims.token_use;
  if (tokenUse === 'access') {
    if (claims.client_id !== options.clientId) throw new TokenError('issued to another client');
  } else if (tokenUse === 'id') {
    if (claims.aud !== options.clientId) throw new TokenError('issued to another client');
  } else {
    throw new TokenError('token_use must be access or id');
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new TokenError('no subject');
  return { sub: claims.sub, tokenUse, expiresAt: claims.exp, claims };
}

/** The issuer of a Cognito user pool: `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
export function cognitoIssuer(userPoolId: string): string {
  const region = userPoolId.split('_')[0];
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}
