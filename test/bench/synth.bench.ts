/**
 * Times `cdk synth` of the whole prod app (with Lambda bundling) beside an empty three-stack app through
 * the same CLI, and prints seconds, their ratio, peak memory, stacks and resources. Target: ratio <= 3.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const CDK = join(ROOT, 'node_modules/.bin/cdk');
const GNU_TIME = '/usr/bin/time';

interface SynthRun {
  seconds: number;
  peakMiB?: number;
  stacks: number;
  resources: number;
}

function synth(extraArgs: string[]): SynthRun {
  const out = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  const args = [CDK, 'synth', '--quiet', '--no-notices', '-o', out, ...extraArgs];
  // GNU time's %M is the peak resident set of the CLI and the app it runs (the largest process).
  const withTime = existsSync(GNU_TIME);
  const started = process.hrtime.bigint();
  const run = withTime
    ? spawnSync(GNU_TIME, ['-f', 'peak-kib=%M', ...args], { cwd: ROOT, encoding: 'utf8' })
    : spawnSync(args[0], args.slice(1), { cwd: ROOT, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`cdk synth ${extraArgs.join(' ')} failed:\n${run.stderr}`);
  const peak = /peak-kib=(\d+)/.exec(run.stderr ?? '');
  const templates = readdirSync(out).filter((f) => f.endsWith('.template.json'));
  const resources = templates.reduce((n, f) => n + Object.keys(JSON.parse(readFileSync(join(out, f), 'utf8')).Resources ?? {}).length, 0);
  rmSync(out, { recursive: true, force: true });
  return { seconds, peakMiB: peak ? Number(peak[1]) / 1024 : undefined, stacks: templates.length, resources };
}

export function synthBench(): Record<string, string | number> {
  synth(['-c', 'env=prod']); // warm the file cache and tsx's transform cache
  const floor = synth(['--app', 'npx tsx test/bench/fixtures/empty-app.ts']);
  const prod = synth(['-c', 'env=prod']);
  const mem = (r: SynthRun) => (r.peakMiB === undefined ? 'n/a (no /usr/bin/time)' : `${r.peakMiB.toFixed(0)} MiB`);
  return {
    'prod synth (s)': prod.seconds.toFixed(2),
    'empty 3-stack synth (s)': floor.seconds.toFixed(2),
    'ratio (target <= 3)': (prod.seconds / floor.seconds).toFixed(2),
    'prod peak memory': mem(prod),
    'empty peak memory': mem(floor),
    'prod stacks': prod.stacks,
    'prod resources': prod.resources,
  };
}
