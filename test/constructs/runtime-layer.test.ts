/**
 * The runtime layer (layers/runtime): built without network or Docker, the same bytes wherever it is built,
 * each driver loadable from the layer alone (as Lambda mounts it), and taken out of every function's bundle.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { buildRuntimeLayer, RUNTIME_LAYER_MODULES } from '../../layers/runtime/build';
import { PlatformFunction } from '../../lib/constructs/platform-function';
import { TEST_ACCOUNT } from '../helpers/platform';

const ROOT = join(__dirname, '..', '..');
const temp = (label: string) => fs.mkdtempSync(join(tmpdir(), `runtime-layer-${label}-`));

function digest(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = join(d, entry.name);
      if (entry.isDirectory()) walk(file);
      else hash.update(relative(dir, file)).update(fs.readFileSync(file));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

describe('runtime layer build', () => {
  const out = temp('a');
  const files = buildRuntimeLayer(out);

  it('writes one bundle (with its source map) and one shim per driver', () => {
    for (const m of RUNTIME_LAYER_MODULES) {
      expect(files).toContain(`${m}/index.js`);
      expect(files).toContain(`.platform-runtime/${m}.js`);
      expect(files).toContain(`.platform-runtime/${m}.js.map`);
    }
    for (const f of files) expect(fs.existsSync(join(out, 'nodejs', 'node_modules', f))).toBe(true);
  });

  it('is byte-identical when built elsewhere', () => {
    const elsewhere = join(temp('b'), 'deeper', 'still');
    buildRuntimeLayer(elsewhere);
    expect(digest(elsewhere)).toBe(digest(out));
  });

  it('loads every driver from the layer and the runtime SDK alone, as Lambda resolves /opt/nodejs/node_modules', () => {
    const runtime = join(temp('sdk'), 'node_modules');
    fs.mkdirSync(runtime, { recursive: true });
    fs.symlinkSync(join(ROOT, 'node_modules', '@aws-sdk'), join(runtime, '@aws-sdk'), 'dir');
    const probe = `const m = require(process.argv[1]); process.stdout.write(Object.keys(m).length > 0 ? 'ok' : 'empty');`;
    for (const m of RUNTIME_LAYER_MODULES) {
      // cwd outside the project: nothing resolves from its node_modules.
      const run = spawnSync(process.execPath, ['-e', probe, m], { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '', NODE_PATH: `${join(out, 'nodejs', 'node_modules')}:${runtime}` }, encoding: 'utf8' });
      expect({ module: m, out: run.stdout, err: run.stderr.split('\n')[0] }).toEqual({ module: m, out: 'ok', err: '' });
    }
  });
});

describe('PlatformFunction with the runtime layer (bundled as at synth)', () => {
  const outdir = temp('app');
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': ['**'] } });
  const stack = new Stack(app, 'Fns', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
  const entry = join(ROOT, 'test', 'fixtures', 'driver', 'handler.ts');
  for (const name of ['one', 'two']) {
    new PlatformFunction(stack, name, { entry, functionName: `trading-dev-${name}`, description: 'test', logRetention: logs.RetentionDays.ONE_WEEK });
  }
  const assembly = app.synth();
  const template = Template.fromStack(stack);

  it('attaches one layer per stack to every function', () => {
    template.resourceCountIs('AWS::Lambda::LayerVersion', 1);
    const [layerId] = Object.keys(template.findResources('AWS::Lambda::LayerVersion'));
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(2);
    for (const fn of functions) expect(fn.Properties.Layers).toEqual([{ Ref: layerId }]);
    template.hasResourceProperties('AWS::Lambda::LayerVersion', { CompatibleRuntimes: ['nodejs24.x'] });
  });

  it('leaves the drivers out of the function bundle and puts them in the layer', () => {
    // A staged asset is the directory asset.<hash> of the assembly; its S3 key is <hash>.zip.
    const assets = (type: string, code: string) =>
      Object.values(template.findResources(type)).map((r) => join(assembly.directory, `asset.${(r.Properties[code].S3Key as string).replace(/\.zip$/, '')}`));
    const [bundle] = assets('AWS::Lambda::Function', 'Code').map((dir) => fs.readFileSync(join(dir, 'index.js'), 'utf8'));
    expect(bundle).toMatch(/require\("pg"\)/);
    expect(bundle).not.toMatch(/pg-protocol|PGPASSFILE/);
    expect(bundle.length).toBeLessThan(10_000);
    const [layerDir] = assets('AWS::Lambda::LayerVersion', 'Content');
    expect(fs.readFileSync(join(layerDir, 'nodejs', 'node_modules', '.platform-runtime', 'pg.js'), 'utf8')).toMatch(/PGPASSFILE/);
  });
});
