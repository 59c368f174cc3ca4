/**
 * The runtime layer every PlatformFunction carries: the CommonJS drivers that esbuild cannot tree-shake
 * (pg, ioredis, kafkajs, the MSK IAM signer, and the X-Ray SDK that Powertools Tracer requires). A
 * function ships the same code of them whether they are bundled or in the layer, so the layer costs no
 * start-up time (docs/lambda-runtime.md has the measurement) and keeps each function's bundle to what is
 * its own: Powertools, middy, zod and @shared stay bundled, tree-shaken per function.
 *
 * Built at synth from the locally installed node_modules, without network or Docker: one minified esbuild
 * bundle (with its source map) per driver, and a shim per driver under nodejs/node_modules (Lambda's
 * /opt/nodejs/node_modules, on NODE_PATH) so that `require('pg')` finds it. Deterministic: the same
 * node_modules give the same bytes wherever the output directory is (source-map paths are relative to a
 * fixed location in the project), so the asset hash changes only when a driver does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

/** What functions leave out of their bundle (esbuild `external`): the layer provides them at run time. */
export const RUNTIME_LAYER_MODULES: readonly string[] = ['aws-msk-iam-sasl-signer-js', 'aws-xray-sdk-core', 'ioredis', 'kafkajs', 'pg'];

const BUNDLE_DIR = '.platform-runtime';

/** Writes `nodejs/node_modules/…` into `outDir`; returns the files written (relative, sorted). */
export function buildRuntimeLayer(outDir: string, projectRoot = path.resolve(__dirname, '..', '..')): string[] {
  const modulesDir = path.join(outDir, 'nodejs', 'node_modules');
  // esbuild writes source-map paths relative to the outfile: a fixed place keeps them the same in every build.
  const virtualDir = path.join(projectRoot, 'cdk.out', 'runtime-layer', 'nodejs', 'node_modules', BUNDLE_DIR);
  const written: string[] = [];
  for (const name of [...RUNTIME_LAYER_MODULES].sort()) {
    const file = `${name.replace(/^@/, '').replace(/\//g, '__')}.js`;
    const result = buildSync({
      stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: projectRoot, sourcefile: file, loader: 'js' },
      absWorkingDir: projectRoot,
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      legalComments: 'none',
      // The runtime ships the AWS SDK v3; another driver is required through its own shim (one copy each).
      external: ['@aws-sdk/*', ...RUNTIME_LAYER_MODULES.filter((m) => m !== name)],
      outfile: path.join(virtualDir, file),
      write: false,
      logLevel: 'error',
    });
    fs.mkdirSync(path.join(modulesDir, BUNDLE_DIR), { recursive: true });
    for (const output of result.outputFiles) {
      fs.writeFileSync(path.join(modulesDir, BUNDLE_DIR, path.basename(output.path)), output.contents);
      written.push(`${BUNDLE_DIR}/${path.basename(output.path)}`);
    }
    // No package.json: `require('pg')` resolves to pg/index.js.
    const shim = path.join(modulesDir, ...name.split('/'), 'index.js');
    const target = path.relative(path.dirname(shim), path.join(modulesDir, BUNDLE_DIR, file)).split(path.sep).join('/');
    fs.mkdirSync(path.dirname(shim), { recursive: true });
    fs.writeFileSync(shim, `module.exports = require(${JSON.stringify(`./${target}`)});\n`);
    written.push(`${name}/index.js`);
  }
  return written.sort();
}
