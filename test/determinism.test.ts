/** Same config in, same templates out: synth twice and compare every template byte for byte. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, resolveAccount } from '../lib/config';
import { buildPlatform } from '../lib/platform';
import { testApp } from './helpers/platform';

function synthTemplates(): Map<string, string> {
  const app = testApp();
  buildPlatform(app, loadConfig('prod'), resolveAccount(undefined, undefined));
  const dir = app.synth().directory;
  const files = readdirSync(dir).filter((f) => f.endsWith('.template.json'));
  return new Map(files.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

it('synthesizes identical templates twice', () => {
  const first = synthTemplates();
  const second = synthTemplates();
  expect(first.size).toBeGreaterThanOrEqual(4);
  expect([...second.keys()]).toEqual([...first.keys()]);
  for (const [name, body] of first) expect({ name, body: second.get(name) }).toEqual({ name, body });
});
