/** `npm run bench [name…]`: runs the benchmarks and prints their figures. Tests never assert timings. */
import { apiBench } from './api.bench';
import { drillBench } from './drill.bench';
import { lambdaRuntimeBench } from './lambda-runtime.bench';
import { scalingBench } from './scaling.bench';
import { synthBench } from './synth.bench';
import { workersBench } from './workers.bench';

const BENCHES: Record<string, () => Record<string, string | number> | Promise<Record<string, string | number>>> = {
  synth: synthBench,
  scaling: scalingBench,
  api: apiBench,
  drill: drillBench,
  runtime: lambdaRuntimeBench,
  workers: workersBench,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  for (const [name, bench] of Object.entries(BENCHES)) {
    if (wanted.length && !wanted.includes(name)) continue;
    console.log(`\n== ${name}`);
    const figures = await bench();
    const width = Math.max(...Object.keys(figures).map((k) => k.length));
    for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(width)}  ${v}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
