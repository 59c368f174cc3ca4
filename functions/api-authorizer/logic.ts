/**
 * The Lambda authorizer of both APIs: a REST TOKEN authorizer (`Authorization: Bearer <jwt>`) and the
 * WebSocket $connect REQUEST authorizer (browsers cannot set headers on a WebSocket: the token comes in
 * the `token` query parameter, or the `Authorization` header from non-browser clients).
 *
 * A refused token throws `Unauthorized`, which API Gateway answers with 401. An accepted one returns an
 * Allow policy on the whole stage (so the cached result serves every route) with `userId` in the context.
 */
import { TokenError, verifyJwt, type JwksSource, type VerifyOptions } from './jwt';

export interface AuthorizerEvent {
  readonly type: 'TOKEN' | 'REQUEST';
  readonly methodArn: string;
  readonly authorizationToken?: string;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
}

export interface AuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: { Version: '2012-10-17'; Statement: { Action: string; Effect: 'Allow' | 'Deny'; Resource: string }[] };
  readonly context: Record<string, string>;
}

export interface AuthorizerDeps {
  readonly jwks: JwksSource;
  readonly verify: VerifyOptions;
  readonly onRefused: (reason: string) => void;
}

/** API Gateway maps exactly this message to a 401. */
export const UNAUTHORIZED = 'Unauthorized';

export function tokenOf(event: AuthorizerEvent): string | undefined {
  const header = event.authorizationToken ?? event.headers?.Authorization ?? event.headers?.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    return match?.[1];
  }
  return event.queryStringParameters?.token;
}

/** `arn:…:execute-api:region:account:apiId/stage/*` from any method ARN of the stage. */
export function stageWildcard(methodArn: string): string {
  const [arnPrefix, path = ''] = methodArn.split(/:(?=[^:]*$)/);
  const [apiId, stage] = path.split('/');
  return `${arnPrefix}:${apiId}/${stage}/*`;
}

export async function authorize(event: AuthorizerEvent, deps: AuthorizerDeps): Promise<AuthorizerResult> {
  const token = tokenOf(event);
  if (!token) {
    deps.onRefused('no bearer token');
    throw new Error(UNAUTHORIZED);
  }
  try {
    const verified = await verifyJwt(token, deps.jwks, deps.verify);
    return {
      principalId: verified.sub,
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) }] },
      context: { userId: verified.sub, tokenUse: verified.tokenUse },
    };
  } catch (error) {
    if (error instanceof TokenError) {
      deps.onRefused(error.message);
      throw new Error(UNAUTHORIZED);
    }
    throw error;
  }
}
