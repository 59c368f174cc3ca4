/** Config validation in tests: change a copy of the prod file and read the message that refuses it. */
import { ConfigError, validateConfig } from '../../lib/config';
import { prod } from '../../lib/config/environments/prod';

export function rejectionOfProd(change: (c: any) => void): string {
  const copy = structuredClone(prod) as any;
  change(copy);
  try {
    validateConfig(copy, 'lib/config/environments/prod.ts');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected the config to be rejected');
}
