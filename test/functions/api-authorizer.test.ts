/**
 * The JWT authorizer with real RS256 keys: what it accepts, what it refuses (401 via "Unauthorized"), and
 * where its keys come from: memory, the region-local copy, the pool's JWKS URL (the copy is what keeps
 * tokens valid while the pool's region is down).
 */
import { generateKeyPairSync, createSign, type KeyObject } from 'node:crypto';
import { JwksSource, verifyJwt, cognitoIssuer, type JwksDocument } from '../../functions/api-authorizer/jwt';
import { authorize, stageWildcard, UNAUTHORIZED, type AuthorizerEvent } from '../../functions/api-authorizer/logic';

const POOL = 'us-east-1_AbCdEf123';
const ISSUER = cognitoIssuer(POOL);
const CLIENT = 'client-123';
const NOW = 1_800_000_000_000;
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:111111111111:abc123/v1/GET/dashboard/positions';

function keyPair(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}
const KEY = keyPair('key-1');
const OTHER = keyPair('key-2');

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function sign(claims: Record<string, unknown>, options: { key?: KeyObject; kid?: string; alg?: string } = {}) {
  const head = b64({ alg: options.alg ?? 'RS256', kid: options.kid ?? KEY.kid });
  const body = b64(claims);
  const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(options.key ?? KEY.privateKey).toString('base64url');
  return `${head}.${body}.${signature}`;
}
const accessClaims = (over: Record<string, unknown> = {}) => ({ sub: 'user-1', iss: ISSUER, token_use: 'access', client_id: CLIENT, exp: NOW / 1000 + 600, ...over });

function sources(remote: JwksDocument | Error, copy?: JwksDocument) {
  const calls = { remote: 0, writes: [] as JwksDocument[], errors: [] as string[] };
  const jwks = new JwksSource({
    readCopy: async () => copy,
    writeCopy: async (d) => void calls.writes.push(d),
    fetchRemote: async () => {
      calls.remote++;
      if (remote instanceof Error) throw remote;
      return remote;
    },
    onSourceError: (_e, source) => calls.errors.push(source),
    now: () => NOW,
  });
  return { jwks, calls };
}
const verifyOptions = { issuer: ISSUER, clientId: CLIENT, now: () => NOW };

describe('JWT verification', () => {
  it('accepts an access token signed by the pool and an id token for the client', async () => {
    const { jwks } = sources({ keys: [KEY.jwk] });
    await expect(verifyJwt(sign(accessClaims()), jwks, verifyOptions)).resolves.toMatchObject({ sub: 'user-1', tokenUse: 'access' });
    const idToken = sign({ sub: 'user-1', iss: ISSUER, token_use: 'id', aud: CLIENT, exp: NOW / 1000 + 600 });
    await expect(verifyJwt(idToken, jwks, verifyOptions)).resolves.toMatchObject({ tokenUse: 'id' });
  });

  it.each([
    ['expired', sign(accessClaims({ exp: NOW / 1000 - 31 })), /expired/],
    ['from another pool', sign(accessClaims({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' })), /issuer/],
    ['for another client', sign(accessClaims({ client_id: 'other' })), /another client/],
    ['of an unknown use', sign(accessClaims({ token_use: 'refresh' })), /token_use/],
    ['signed by another key under our kid', sign(accessClaims(), { key: OTHER.privateKey }), /bad signature/],
    ['declaring alg none', `${b64({ alg: 'none', kid: KEY.kid })}.${b64(accessClaims())}.`, /algorithm none/],
    ['declaring HS256', sign(accessClaims(), { alg: 'HS256' }), /algorithm HS256/],
    ['not a JWS', 'abc.def', /compact JWS/],
    ['with a tampered payload', (() => { const [h, , s] = sign(accessClaims()).split('.'); return `${h}.${b64(accessClaims({ sub: 'admin' }))}.${s}`; })(), /bad signature/],
  ])('refuses a token %s', async (_name, token, reason) => {
    const { jwks } = sources({ keys: [KEY.jwk] });
    await expect(verifyJwt(token, jwks, verifyOptions)).rejects.toThrow(reason);
  });
});

describe('JWKS sources', () => {
  it('fetches the pool JWKS once, then serves from memory, and writes the region-local copy', async () => {
    const { jwks, calls } = sources({ keys: [KEY.jwk] });
    await verifyJwt(sign(accessClaims()), jwks, verifyOptions);
    await verifyJwt(sign(accessClaims()), jwks, verifyOptions);
    expect(calls.remote).toBe(1);
    expect(calls.writes).toEqual([{ keys: [KEY.jwk] }]);
  });

  it("keeps verifying from the region-local copy while the pool's region is down", async () => {
    const { jwks, calls } = sources(new Error('connect ETIMEDOUT cognito-idp.us-east-1.amazonaws.com'), { keys: [KEY.jwk] });
    await expect(verifyJwt(sign(accessClaims()), jwks, verifyOptions)).resolves.toMatchObject({ sub: 'user-1' });
    expect(calls.remote).toBe(0);
  });

  it('refetches for a new kid (key rotation) at most once a minute, so random kids cannot hammer the pool', async () => {
    const { jwks, calls } = sources({ keys: [KEY.jwk] }, { keys: [KEY.jwk] });
    const rotated = sign(accessClaims(), { key: OTHER.privateKey, kid: OTHER.kid });
    await expect(verifyJwt(rotated, jwks, verifyOptions)).rejects.toThrow(/unknown key id key-2/);
    await expect(verifyJwt(sign(accessClaims(), { kid: 'random' }), jwks, verifyOptions)).rejects.toThrow(/unknown key id/);
    expect(calls.remote).toBe(1);
  });
});

describe('authorizer', () => {
  const deps = (refused: string[] = []) => ({ jwks: sources({ keys: [KEY.jwk] }).jwks, verify: verifyOptions, onRefused: (r: string) => void refused.push(r) });

  it('allows the whole stage for a valid REST bearer token, with the user id in the context', async () => {
    const event: AuthorizerEvent = { type: 'TOKEN', methodArn: METHOD_ARN, authorizationToken: `Bearer ${sign(accessClaims())}` };
    const result = await authorize(event, deps());
    expect(result.principalId).toBe('user-1');
    expect(result.context).toEqual({ userId: 'user-1', tokenUse: 'access' });
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:eu-west-1:111111111111:abc123/v1/*' }]);
  });

  it('reads the WebSocket $connect token from the query string', async () => {
    const event: AuthorizerEvent = { type: 'REQUEST', methodArn: 'arn:aws:execute-api:us-east-1:111111111111:ws1/v1/$connect', queryStringParameters: { token: sign(accessClaims()) } };
    await expect(authorize(event, deps())).resolves.toMatchObject({ principalId: 'user-1' });
    expect(stageWildcard(event.methodArn)).toBe('arn:aws:execute-api:us-east-1:111111111111:ws1/v1/*');
  });

  it('throws Unauthorized (401) without a token, for a malformed header, and for a refused token, saying why in the log', async () => {
    const refused: string[] = [];
    await expect(authorize({ type: 'TOKEN', methodArn: METHOD_ARN }, deps(refused))).rejects.toThrow(UNAUTHORIZED);
    await expect(authorize({ type: 'TOKEN', methodArn: METHOD_ARN, authorizationToken: 'Basic abc' }, deps(refused))).rejects.toThrow(UNAUTHORIZED);
    await expect(authorize({ type: 'TOKEN', methodArn: METHOD_ARN, authorizationToken: `Bearer ${sign(accessClaims({ exp: 1 }))}` }, deps(refused))).rejects.toThrow(UNAUTHORIZED);
    expect(refused).toEqual(['no bearer token', 'no bearer token', 'expired']);
  });
});
