/**
 * Parsing cost of the largest real CSAF document we know (Red Hat kernel RHSA-2025:3215, 3.2 MB), against a bare
 * JSON.parse of the same bytes in the same run, plus the memory peak; then matching synthetic advisories against a
 * generated inventory, against a naive scan in the same run. Run: npm run bench:advisories
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { type HostInventory, indexInventory, matchAdvisory, osvFindingContains, parseCsaf, parseOsv } from '../src/advisories/index.js';

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

// ---------------------------------------------------------------------------------------------------------------
// Matching: synthetic OSV advisories against a generated Debian inventory. Hosts share package objects (as real
// fleets share builds), so the inventory fits in memory on a small machine; BENCH_HOSTS / BENCH_PACKAGES scale it.
// The baseline is a naive scan (every host, every package, for each advisory) over a sample of the advisories.
const hostCount = Number(process.env['BENCH_HOSTS'] ?? 2000);
const packageCount = Number(process.env['BENCH_PACKAGES'] ?? 1500);
const advisoryCount = Number(process.env['BENCH_ADVISORIES'] ?? 1000);

let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const names = Array.from({ length: packageCount }, (_, i) => `pkg${String(i).padStart(4, '0')}`);
const builds = names.map((name) => [1, 2, 3].map((k) => ({ name, version: `1.0-${k}`, arch: 'amd64', sourceName: name, sourceVersion: `1.0-${k}` })));
const hosts: HostInventory[] = Array.from({ length: hostCount }, (_, h) => ({
  hostId: `host${h}`,
  packageFormat: 'deb',
  osvEcosystem: 'Debian:12',
  packages: builds.map((variants) => variants[Math.floor(random() * 3)] as (typeof variants)[number]),
}));
const advisories = Array.from({ length: advisoryCount }, (_, a) =>
  parseOsv({
    id: `DSA-${a}-1`,
    modified: '2026-01-01T00:00:00Z',
    affected: Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
      package: { ecosystem: 'Debian:12', name: names[Math.floor(random() * packageCount)] },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-2' }] }],
    })),
  }),
);

const indexStart = performance.now();
const index = indexInventory(hosts);
const indexMs = performance.now() - indexStart;
const matchStart = performance.now();
let exposures = 0;
for (const advisory of advisories) exposures += matchAdvisory(advisory, index).affected.length;
const matchMs = performance.now() - matchStart;

const sample = advisories.slice(0, Math.min(20, advisoryCount));
const naiveStart = performance.now();
let naiveExposures = 0;
for (const advisory of sample) {
  for (const finding of advisory.findings) {
    for (const host of hosts) {
      for (const pkg of host.packages) {
        if (pkg.sourceName === finding.product.name && osvFindingContains(finding, pkg.sourceVersion ?? pkg.version).verdict === 'in-range') naiveExposures++;
      }
    }
  }
}
const naivePerAdvisory = (performance.now() - naiveStart) / sample.length;
let indexedSampleExposures = 0;
for (const advisory of sample) indexedSampleExposures += matchAdvisory(advisory, index).affected.length;
if (indexedSampleExposures !== naiveExposures) throw new Error(`the indexed matcher found ${indexedSampleExposures} exposures, the naive scan ${naiveExposures}`);

console.log('');
console.log(`matching: ${advisoryCount.toLocaleString('en')} advisories x ${hostCount.toLocaleString('en')} hosts x ${packageCount.toLocaleString('en')} packages (${(hostCount * packageCount).toLocaleString('en')} installed packages)`);
console.log(`index the inventory                   ${indexMs.toFixed(0).padStart(6)} ms`);
console.log(`match all advisories (indexed)        ${matchMs.toFixed(0).padStart(6)} ms   ${(matchMs / advisoryCount).toFixed(2)} ms per advisory, ${exposures.toLocaleString('en')} exposures`);
console.log(`naive scan, ${sample.length} advisories               ${(naivePerAdvisory * sample.length).toFixed(0).padStart(6)} ms   ${naivePerAdvisory.toFixed(2)} ms per advisory (same exposures: ${naiveExposures.toLocaleString('en')})`);
console.log(`ratio naive / indexed per advisory: ${(naivePerAdvisory / (matchMs / advisoryCount)).toFixed(1)}x`);
console.log(`peak RSS after matching: ${mb(process.resourceUsage().maxRSS * 1024)}`);
