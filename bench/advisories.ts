/**
 * Parsing cost of the largest real CSAF document we know (Red Hat kernel RHSA-2025:3215, 3.2 MB), against a bare
 * JSON.parse of the same bytes in the same run, plus the memory peak. Run: npm run bench:advisories
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseCsaf } from '../src/advisories/index.js';

const file = path.resolve(process.cwd(), '../shared/fixtures/advisories/csaf/LARGE-redhat-rhsa-2025_3215.json');
const bytes = readFileSync(file);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 15);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function time(action: () => unknown): { first: number; samples: number[] } {
  const coldStart = performance.now();
  action(); // the first call pays for JIT and zod's schema setup; a single ingest sees this cost
  const first = performance.now() - coldStart;
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    action();
    samples.push(performance.now() - start);
  }
  return { first, samples };
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const rssPeakBefore = process.resourceUsage().maxRSS * 1024;

const bare = time(() => JSON.parse(bytes.toString('utf8')));
const rssPeakAfterBare = process.resourceUsage().maxRSS * 1024;
let findings = 0;
const full = time(() => {
  findings = parseCsaf(bytes, { fileName: path.basename(file) }).findings.length;
});
const rssPeakAfterFull = process.resourceUsage().maxRSS * 1024;

const bareMedian = median(bare.samples);
const fullMedian = median(full.samples);
console.log(`advisories benchmark: ${path.basename(file)}, ${bytes.length.toLocaleString('en')} bytes, ${findings.toLocaleString('en')} findings, ${rounds} rounds after a warm-up`);
console.log(`machine: ${availableParallelism()} cores, node ${process.version}`);
const row = (label: string, m: number, r: { first: number; samples: number[] }) =>
  console.log(`${label.padEnd(38)} median ${m.toFixed(1).padStart(6)} ms   min ${Math.min(...r.samples).toFixed(1).padStart(6)} ms   first call ${r.first.toFixed(1).padStart(6)} ms`);
row('bare JSON.parse (decode + parse)', bareMedian, bare);
row('parseCsaf (limits, zod, tests, model)', fullMedian, full);
console.log(`ratio parseCsaf / JSON.parse: ${(fullMedian / bareMedian).toFixed(1)}x`);
console.log(`peak RSS: at start ${mb(rssPeakBefore)}, after JSON.parse rounds ${mb(rssPeakAfterBare)}, after parseCsaf rounds ${mb(rssPeakAfterFull)}`);
