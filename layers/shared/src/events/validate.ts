import type { z } from 'zod';
import { EventValidationError } from './errors';

/** Parses `input` with `schema` or throws an EventValidationError naming the first offending field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  const field = fieldName(first.path);
  const missing = first.code === 'invalid_type' && first.path.length > 0 && valueAt(input, first.path) === undefined;
  const others = [...new Set(rest.map((i) => fieldName(i.path)))].filter((f) => f !== field);
  const more = others.length ? ` (also invalid: ${others.join(', ')})` : '';
  throw new EventValidationError(field, `${missing ? 'is required' : first.message}${more}`);
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '$';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
