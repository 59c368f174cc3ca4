/**
 * Layer or bundle: every function under functions/ (each folder with a handler.ts) bundled with
 * PlatformFunction's esbuild options twice, (a) everything bundled and (b) as deployed: the runtime
 * layer's modules (layers/runtime) external and loaded from the layer; beside a bare handler
 * (`exports.handler = async () => ({})`) bundled the same way. Prints
 * minified bundle sizes, the layer's size, the top inputs of each bundle, and the cold module load:
 * a fresh `node` per sample (Lambda's NODE_OPTIONS, the layer on NODE_PATH as /opt/nodejs/node_modules,
 * the AWS SDK resolvable as the runtime provides it) that requires the bundle and reports the time from
 * process start to loaded, the require alone, and its peak RSS. A second baseline per function, bare+SDK,
 * requires only the AWS SDK modules the function takes from the runtime: what no bundling choice changes. Samples of all variants interleave so
 * that machine noise hits them alike. Tests never assert timings.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { buildRuntimeLayer, RUNTIME_LAYER_MODULES } from '../../layers/runtime/build';
import { PLATFORM_BUNDLING, RUNTIME_PROVIDED_MODULES } from '../../lib/constructs/platform-function';

const ROOT = path.resolve(__dirname, '..', '..');
const SAMPLES = Number(process.env.BENCH_RUNTIME_SAMPLES ?? 15);

/** What the Lambda runtime sets, plus what the handlers read at module scope (harmless values). */
const LAMBDA_ENV: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  LAMBDA_TASK_ROOT: '/var/task',
  NODE_OPTIONS: '--enable-source-maps',
  POWERTOOLS_SERVICE_NAME: 'bench',
  POWERTOOLS_METRICS_NAMESPACE: 'bench',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  // The one module-scope variable that must parse (the others are found by discoverEnv).
  RUNBOOK_SETTINGS: JSON.stringify({
    environment: 'dev',
    region: 'eu-west-1',
    regions: { primary: 'eu-west-1', secondary: 'eu-central-1', tertiary: 'us-east-1' },
    rpoBudgetSeconds: 60,
    coolDownSeconds: 900,
    lockLeaseSeconds: 900,
    approval: { unplannedDataLoss: 'always', planned: false },
    traffic: { mode: 'route53' },
    stepTimeoutSeconds: 600,
    fallbackCapacity: { minTasks: 2, maxTasks: 10 },
    names: Object.fromEntries(
      ['runbookTable', 'reportBucket', 'opsBus', 'killSwitchParameter', 'restApiIdParameter', 'apiStage', 'apiHealthPath', 'engineCluster', 'engineService', 'clusterPrefix', 'cacheReplicationGroup', 'replicatorPrefix', 'shardMapParameter', 'regionHealthAlarmPrefix', 'metricNamespace']
        .map((k) => [k, 'bench'] as [string, unknown])
        .concat([['globalClusters', ['bench']], ['workerFunctions', ['bench']], ['cacheGlobalDatastoreSuffix', null], ['topicArnTemplate', { critical: 'bench', warning: 'bench', info: 'bench' }]]),
    ),
  }),
};

type Mode = 'bundled' | 'layer' | 'sdk';

interface Variant {
  readonly name: string;
  readonly mode: Mode | 'bare';
  readonly file: string;
  readonly bytes: number;
  readonly metafile?: Metafile;
  env: Record<string, string>;
  readonly samples: { totalMs: number; requireMs: number; rssMb: number }[];
}

/** PlatformFunction's bundling, as esbuild's API spells it. */
function esbuildOptions(external: readonly string[]): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    target: PLATFORM_BUNDLING.target,
    // OutputFormat.CJS is the string 'cjs'.
    format: PLATFORM_BUNDLING.format as BuildOptions['format'],
    minify: PLATFORM_BUNDLING.minify,
    sourcemap: PLATFORM_BUNDLING.sourceMap,
    sourcesContent: PLATFORM_BUNDLING.sourcesContent,
    external: [...RUNTIME_PROVIDED_MODULES, ...external],
    absWorkingDir: ROOT,
    metafile: true,
    logLevel: 'error',
  };
}

export function functionNames(): string[] {
  return fs
    .readdirSync(path.join(ROOT, 'functions'))
    .filter((d) => fs.existsSync(path.join(ROOT, 'functions', d, 'handler.ts')))
    .sort();
}

async function bundle(entry: BuildOptions['stdin'] | string, outfile: string, external: readonly string[]) {
  const result = await build({
    ...esbuildOptions(external),
    ...(typeof entry === 'string' ? { entryPoints: [entry] } : { stdin: entry }),
    outfile,
  });
  if (!result.metafile) throw new Error(`esbuild wrote no metafile for ${outfile}`);
  return { bytes: fs.statSync(outfile).size, metafile: result.metafile };
}

/** Bytes in the output per npm package (or per source folder), largest first. */
function topInputs(metafile: Metafile, count: number): [string, number][] {
  const out = Object.values(metafile.outputs).find((o) => o.entryPoint)!;
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
    const pkg = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? input.split('/').slice(0, 2).join('/');
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, count);
}

function externalImports(metafile: Metafile): string[] {
  const out = Object.values(metafile.outputs).find((o) => o.entryPoint)!;
  return out.imports.filter((i) => i.external).map((i) => i.path);
}

function directorySize(dir: string, accept: (file: string) => boolean): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += directorySize(full, accept);
    else if (accept(full)) total += fs.statSync(full).size;
  }
  return total;
}

const PROBE = `
const started = performance.now();
require(process.argv[1]);
const loaded = performance.now();
process.stdout.write(JSON.stringify({ totalMs: loaded, requireMs: loaded - started, rssMb: process.resourceUsage().maxRSS / 1024 }));
`;

function sample(variant: Variant, nodePath: string): void {
  const run = spawnSync(process.execPath, ['-e', PROBE, variant.file], {
    cwd: path.dirname(variant.file),
    env: { PATH: process.env.PATH ?? '', ...variant.env, NODE_PATH: nodePath },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`${variant.name} (${variant.mode}) failed to load:\n${run.stderr}`);
  variant.samples.push(JSON.parse(run.stdout));
}

/** Finds the module-scope environment variables a handler requires (requireEnv names the missing one). */
function discoverEnv(variant: Variant, nodePath: string): void {
  for (let attempt = 0; attempt < 30; attempt++) {
    const run = spawnSync(process.execPath, ['-e', PROBE, variant.file], { env: { PATH: process.env.PATH ?? '', ...variant.env, NODE_PATH: nodePath }, encoding: 'utf8' });
    if (run.status === 0) return;
    const missing = run.stderr.match(/environment variable (\w+) is not set/)?.[1];
    if (!missing) throw new Error(`${variant.name} (${variant.mode}) failed to load:\n${run.stderr}`);
    variant.env[missing] = missing.endsWith('_ARN') ? 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:bench' : 'bench';
  }
}

function stats(values: number[]): { median: number; p90: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return { median: at(0.5), p90: at(0.9) };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export async function lambdaRuntimeBench(): Promise<Record<string, string | number>> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-runtime-'));
  try {
    // The layer, laid out as Lambda mounts it (/opt/nodejs/node_modules).
    const layerDir = path.join(work, 'layer');
    buildRuntimeLayer(layerDir, ROOT);
    const layerModules = path.join(layerDir, 'nodejs', 'node_modules');
    // The AWS SDK v3 as the runtime provides it, and nothing else from the project's node_modules.
    const runtimeModules = path.join(work, 'runtime', 'node_modules');
    fs.mkdirSync(runtimeModules, { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', '@aws-sdk'), path.join(runtimeModules, '@aws-sdk'), 'dir');
    const nodePath: Record<Variant['mode'], string> = { bare: runtimeModules, sdk: runtimeModules, bundled: runtimeModules, layer: `${layerModules}${path.delimiter}${runtimeModules}` };

    const bareFile = path.join(work, 'bare', 'index.js');
    const bare = await bundle({ contents: 'exports.handler = async () => ({});', loader: 'js', resolveDir: ROOT }, bareFile, []);
    const variants: Variant[] = [{ name: 'bare handler', mode: 'bare', file: bareFile, bytes: bare.bytes, env: { ...LAMBDA_ENV }, samples: [] }];
    const missingFromLayer = new Set<string>();
    for (const name of functionNames()) {
      for (const mode of ['bundled', 'layer'] as const) {
        const file = path.join(work, mode, name, 'index.js');
        const out = await bundle(path.join(ROOT, 'functions', name, 'handler.ts'), file, mode === 'layer' ? RUNTIME_LAYER_MODULES : []);
        if (mode === 'layer') {
          for (const i of externalImports(out.metafile)) {
            if (!i.startsWith('node:') && !i.startsWith('@aws-sdk/') && !RUNTIME_LAYER_MODULES.includes(i)) missingFromLayer.add(i);
          }
        }
        variants.push({ name, mode, file, bytes: out.bytes, metafile: out.metafile, env: { ...LAMBDA_ENV }, samples: [] });
        if (mode === 'bundled') {
          // A second baseline: the bare handler plus the AWS SDK modules this function loads from the runtime.
          const sdk = externalImports(out.metafile).filter((i) => i.startsWith('@aws-sdk/'));
          const sdkFile = path.join(work, 'sdk', name, 'index.js');
          const sdkOut = await bundle({ contents: `${sdk.map((m) => `require(${JSON.stringify(m)});`).join('\n')}\nexports.handler = async () => ({});`, loader: 'js', resolveDir: ROOT }, sdkFile, []);
          variants.push({ name, mode: 'sdk', file: sdkFile, bytes: sdkOut.bytes, env: { ...LAMBDA_ENV }, samples: [] });
        }
      }
    }
    if (missingFromLayer.size) throw new Error(`the runtime layer lacks ${[...missingFromLayer].join(', ')} (add to RUNTIME_LAYER_MODULES in layers/runtime/build.ts)`);

    for (const v of variants) discoverEnv(v, nodePath[v.mode]);
    for (let i = 0; i < SAMPLES; i++) for (const v of variants) sample(v, nodePath[v.mode]);

    const bareLoad = stats(variants[0].samples.map((s) => s.totalMs));
    const figures: Record<string, string | number> = {
      samples: `${SAMPLES} fresh node processes per variant (node ${process.version}, NODE_OPTIONS=--enable-source-maps)`,
      'load = process start to handler loaded': 'median / p90 ms; require = the require() alone; RSS = peak',
      'layer (nodejs/node_modules) js / source map': `${kb(directorySize(layerModules, (f) => f.endsWith('.js')))} / ${kb(directorySize(layerModules, (f) => f.endsWith('.map')))}`,
    };
    const sdkLoad = new Map(variants.filter((v) => v.mode === 'sdk').map((v) => [v.name, stats(v.samples.map((s) => s.totalMs))]));
    const row = (v: Variant) => {
      const total = stats(v.samples.map((s) => s.totalMs));
      const sdk = sdkLoad.get(v.name);
      const vsSdk = sdk && v.mode !== 'sdk' ? `, ${(total.median / sdk.median).toFixed(2)}x bare+SDK` : '';
      const req = stats(v.samples.map((s) => s.requireMs));
      const rss = stats(v.samples.map((s) => s.rssMb));
      return `${kb(v.bytes).padStart(9)}  load ${total.median.toFixed(1)} / ${total.p90.toFixed(1)} ms (${(total.median / bareLoad.median).toFixed(2)}x bare${vsSdk})  require ${req.median.toFixed(1)} / ${req.p90.toFixed(1)} ms  RSS ${rss.median.toFixed(0)} MB`;
    };
    figures['bare handler'] = row(variants[0]);
    const label = { sdk: 'bare+SDK', bundled: 'all bundled', layer: 'as deployed (drivers in the layer)', bare: '' } as const;
    for (const v of variants.slice(1)) figures[`${v.name} ${label[v.mode]}`] = row(v);
    for (const v of variants.filter((x) => x.mode === 'bundled')) {
      figures[`${v.name} top inputs (bundled)`] = topInputs(v.metafile as Metafile, 5).map(([p, b]) => `${p} ${kb(b)}`).join(', ');
    }
    Object.assign(figures, await zodCost(work));
    return figures;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** What a small schema costs with zod 4 classic (namespace import, as the catalog uses it), its named `z` import, and zod/mini. */
async function zodCost(work: string): Promise<Record<string, string>> {
  const variants = {
    "import * as z from 'zod'": `import * as z from 'zod'; export const s = z.object({ a: z.string(), n: z.number().int() });`,
    "import { z } from 'zod'": `import { z } from 'zod'; export const s = z.object({ a: z.string(), n: z.number().int() });`,
    "import * as z from 'zod/mini'": `import * as z from 'zod/mini'; export const s = z.object({ a: z.string(), n: z.number().check(z.int()) });`,
  };
  const out: Record<string, string> = {};
  for (const [label, contents] of Object.entries(variants)) {
    const file = path.join(work, 'zod', `${Object.keys(out).length}.js`);
    const { bytes } = await bundle({ contents, loader: 'ts', resolveDir: ROOT }, file, []);
    const loads: number[] = [];
    for (let i = 0; i < 7; i++) {
      const run = spawnSync(process.execPath, ['-e', PROBE, file], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
      loads.push(JSON.parse(run.stdout).requireMs);
    }
    out[`zod cost: ${label}`] = `${kb(bytes)}, require median ${stats(loads).median.toFixed(1)} ms`;
  }
  return out;
}
