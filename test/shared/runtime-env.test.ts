import { intEnv, requireEnv } from '@shared/runtime/env';

describe('requireEnv', () => {
  it('returns a set variable', () => expect(requireEnv('A', { A: 'x' })).toBe('x'));
  it.each([[{}], [{ A: '' }]])('names a missing or empty variable (%j)', (env) => {
    expect(() => requireEnv('A', env)).toThrow('environment variable A is not set');
  });
});

describe('intEnv', () => {
  const range = { min: 1, max: 10 };
  it('falls back when unset', () => expect(intEnv('N', 5, range, {})).toBe(5));
  it('parses an integer in range', () => expect(intEnv('N', 5, range, { N: '7' })).toBe(7));
  it.each(['0', '11', '2.5', 'x'])('refuses %s, naming the variable and the range', (raw) => {
    expect(() => intEnv('N', 5, range, { N: raw })).toThrow(`environment variable N = "${raw}": expected an integer from 1 to 10`);
  });
});
