/**
 * The REST conventions every API function shares (docs/api.md#errors): the slice of API Gateway's proxy
 * event the routes read, JSON responses, body parsing with a size cap and schema validation, and one
 * mapping from errors to status codes: 400 names the failing field, 404 for an unknown route, 413 for an
 * oversized body, 500 carries the request id and never a stack trace.
 */
import type { z } from 'zod';
import { EventValidationError } from '../events/errors';
import { validate } from '../events/validate';

/** What the routes read of an API Gateway REST proxy event (the rest is ignored). */
export interface RestEvent {
  readonly httpMethod: string;
  /** The resource template, e.g. `/plans/{planId}`. */
  readonly resource: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly pathParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext: {
    readonly requestId: string;
    /** What the Lambda authorizer returned in its context (values are strings). */
    readonly authorizer?: Readonly<Record<string, unknown>> | null;
  };
}

export interface RestResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** An error with its HTTP status; `field` names the offending input field for a 400. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): RestResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** The caller's user id, as the JWT authorizer put it in the request context (its `sub`). */
export function userIdOf(event: RestEvent): string {
  const userId = event.requestContext.authorizer?.userId ?? event.requestContext.authorizer?.principalId;
  // API Gateway never calls an authorized route without it: its absence is a wiring error, not the client's.
  if (typeof userId !== 'string' || userId === '') throw new Error('no userId in the authorizer context');
  return userId;
}

/** The raw body as bytes-counted text; refuses a body over `maxBytes` (413) before parsing it. */
export function bodyText(event: RestEvent, maxBytes: number): string {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) throw new HttpError(413, `body is ${size} bytes; at most ${maxBytes} are accepted`, 'body');
  return text;
}

/** Parses and validates a JSON body; a bad one is a 400 naming the field (`$` for the whole body). */
export function parseBody<S extends z.ZodType>(event: RestEvent, schema: S, maxBytes: number): z.output<S> {
  const text = bodyText(event, maxBytes);
  if (text.trim() === '') throw new HttpError(400, 'a JSON body is required', '$');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `body is not valid JSON: ${(e as Error).message}`, '$');
  }
  return validateInput(schema, value);
}

/** Validates any input (query, path, body); EventValidationError becomes a 400 naming the field. */
export function validateInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  try {
    return validate(schema, value);
  } catch (e) {
    if (e instanceof EventValidationError) throw new HttpError(400, `${e.field}: ${e.detail}`, e.field);
    throw e;
  }
}

export interface ErrorLog {
  error(message: string, ...extra: unknown[]): void;
}

/** The response for any error: known ones keep their status and message; anything else is a bare 500. */
export function errorResult(error: unknown, requestId: string, log: ErrorLog): RestResult {
  if (error instanceof HttpError) {
    return json(error.statusCode, { message: error.message, ...(error.field ? { field: error.field } : {}), requestId });
  }
  if (error instanceof EventValidationError) {
    return json(400, { message: `${error.field}: ${error.detail}`, field: error.field, requestId });
  }
  log.error('unhandled error', { error, requestId });
  return json(500, { message: 'internal error; quote the requestId when reporting it', requestId });
}

export type Route<D> = (event: RestEvent, deps: D) => Promise<RestResult>;

/**
 * A function serving several routes: `"<METHOD> <resource>"` to a route. An unknown pair is a 404 (API
 * Gateway answers unknown paths itself; this covers a method/resource the function was not meant for).
 */
export function router<D>(routes: Readonly<Record<string, Route<D>>>, log: ErrorLog) {
  return async (event: RestEvent, deps: D): Promise<RestResult> => {
    const route = routes[`${event.httpMethod} ${event.resource}`];
    try {
      if (!route) throw new HttpError(404, `no route ${event.httpMethod} ${event.resource}`);
      return await route(event, deps);
    } catch (error) {
      return errorResult(error, event.requestContext.requestId, log);
    }
  };
}
