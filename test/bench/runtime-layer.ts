/**
 * The candidate runtime layer that the runtime bench measures against bundling (bundling won, so no stack
 * deploys it: docs/lambda-runtime.md). Built from the locally installed node_modules, without network or
 * Docker: one minified esbuild bundle per package (Powertools and middy together), each import path
 * initialized only when first required, and one shim per import path under nodejs/node_modules, which
 * Lambda puts on NODE_PATH as /opt/nodejs/node_modules. Not one bundle per import path: `logger` and
 * `logger/middleware` must share one copy of what they have in common. Deterministic: same node_modules,
 * same bytes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

/** What functions leave out of their bundle when they use the layer (esbuild `external` patterns). */
export const RUNTIME_LAYER_MODULES: readonly string[] = [
  '@aws-lambda-powertools/*',
  '@middy/core',
  '@msgpack/msgpack',
  'aws-msk-iam-sasl-signer-js',
  'ioredis',
  'kafkajs',
  'pg',
  'zod',
];

/**
 * Every import path of those modules that a function uses (the runtime bench fails when a function
 * imports one that is missing here).
 */
export const RUNTIME_LAYER_IMPORTS: readonly string[] = [
  '@aws-lambda-powertools/batch',
  '@aws-lambda-powertools/idempotency',
  '@aws-lambda-powertools/idempotency/dynamodb',
  '@aws-lambda-powertools/idempotency/middleware',
  '@aws-lambda-powertools/logger',
  '@aws-lambda-powertools/logger/middleware',
  '@aws-lambda-powertools/metrics',
  '@aws-lambda-powertools/metrics/middleware',
  '@aws-lambda-powertools/parser',
  '@aws-lambda-powertools/parser/middleware',
  '@aws-lambda-powertools/parser/schemas',
  '@aws-lambda-powertools/tracer',
  '@aws-lambda-powertools/tracer/middleware',
  '@middy/core',
  '@msgpack/msgpack',
  'aws-msk-iam-sasl-signer-js',
  'ioredis',
  'kafkajs',
  'pg',
  'zod',
];

/** The bundle (under nodejs/node_modules/.platform-runtime/) that holds an import path's package. */
function groupOf(importPath: string): string {
  // Powertools packages and middy share one bundle: they share commons, and the middlewares receive the
  // Logger / Metrics / Tracer instances, so each must exist once.
  if (importPath.startsWith('@aws-lambda-powertools/') || importPath === '@middy/core') return 'powertools';
  return importPath.replace(/^@/, '').replace(/\//g, '__');
}

const BUNDLE_DIR = '.platform-runtime';

/** Writes `nodejs/node_modules/…` into `outDir`; returns the files written (relative, sorted). */
export function buildRuntimeLayer(outDir: string, projectRoot = path.resolve(__dirname, '..', '..')): string[] {
  const modulesDir = path.join(outDir, 'nodejs', 'node_modules');
  const groups = new Map<string, string[]>();
  for (const m of RUNTIME_LAYER_IMPORTS) groups.set(groupOf(m), [...(groups.get(groupOf(m)) ?? []), m]);
  const written: string[] = [];
  // One bundle per package (Powertools together), so a function parses only the packages it requires.
  for (const [group, imports] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    // Getters: a function pays for initializing only the modules it requires.
    const entry = ['module.exports = {', ...imports.map((m) => `  get ${JSON.stringify(m)}() { return require(${JSON.stringify(m)}); },`), '};'].join('\n');
    buildSync({
      stdin: { contents: entry, resolveDir: projectRoot, sourcefile: `${group}.js`, loader: 'js' },
      absWorkingDir: projectRoot,
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      legalComments: 'none',
      // The runtime ships the AWS SDK v3; the other groups' packages resolve to their shims (one copy each).
      external: ['@aws-sdk/*', ...RUNTIME_LAYER_MODULES.filter((m) => groupOf(m.replace('/*', '/x')) !== group)],
      outfile: path.join(modulesDir, BUNDLE_DIR, `${group}.js`),
      logLevel: 'error',
    });
    written.push(`${BUNDLE_DIR}/${group}.js`, `${BUNDLE_DIR}/${group}.js.map`);
    for (const m of imports) {
      // No package.json: `require('x/middleware')` resolves to x/middleware/index.js.
      const shim = path.join(modulesDir, ...m.split('/'), 'index.js');
      const bundle = path.relative(path.dirname(shim), path.join(modulesDir, BUNDLE_DIR, `${group}.js`)).split(path.sep).join('/');
      fs.mkdirSync(path.dirname(shim), { recursive: true });
      fs.writeFileSync(shim, `module.exports = require(${JSON.stringify(`./${bundle}`)})[${JSON.stringify(m)}];\n`);
      written.push(`${m}/index.js`);
    }
  }
  return written.sort();
}
