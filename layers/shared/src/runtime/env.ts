/**
 * Environment variables a Lambda or task needs, read once at module scope: a missing one fails the cold
 * start with a message that names it, instead of an `undefined` deep inside a request.
 */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** An integer variable with a default, refused when it is not an integer in [min, max]. */
export function intEnv(name: string, fallback: number, range: { min: number; max: number }, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new Error(`environment variable ${name} = "${raw}": expected an integer from ${range.min} to ${range.max}`);
  }
  return value;
}
