/**
 * Parsing cost of the largest real CSAF document we know (Red Hat kernel RHSA-2025:3215, 3.2 MB), against a bare
 * JSON.parse of the same bytes in the same run, plus the memory peak; then matching synthetic advisories against a
 * generated inventory, against a naive scan in the same run; then the same advisories through the inventory stored in
 * a private redis-server (package-name and source-name indexes), checked to give the same exposures.
 * Run: npm run bench:advisories
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Redis } from 'ioredis';
import { type HostInventory, indexInventory, matchAdvisory, matchAgainstStore, osvFindingContains, parseCsaf, parseOsv, storedMatchSession } from '../src/advisories/index.js';
import { startRedisServer } from '../src/platform/redis-server-process.js';
import { createHostInventoryStore } from '../src/store/index.js';

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

// Part 3: the same inventory stored in Redis (a private redis-server, never the machine's 6379) through the host
// inventory store, and the same advisories matched through its indexes. Set BENCH_STORED=0 to skip.
if (process.env['BENCH_STORED'] !== '0') {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'redback-bench-redis-'));
  const server = await startRedisServer({ dataDir, appendOnly: false });
  const redis = new Redis(server.url);
  try {
    const store = createHostInventoryStore(redis, 'bench');
    const saveStart = performance.now();
    for (const host of hosts) {
      await store.save({
        hostId: host.hostId,
        scannedAt: '2026-01-01T00:00:00Z',
        os: { id: 'debian', name: 'Debian GNU/Linux', version: '12' },
        kernel: null,
        arch: 'amd64',
        bootTime: null,
        held: [],
        packages: host.packages.map((p) => ({ name: p.name, version: p.version, arch: p.arch ?? 'amd64', source: p.sourceName ?? '' })),
      });
    }
    const saveMs = performance.now() - saveStart;
    const info = await redis.info('memory');
    const redisUsed = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
    const session = storedMatchSession(store);
    const storedStart = performance.now();
    let storedExposures = 0;
    let hostsRead = 0;
    for (const advisory of advisories) {
      const result = await matchAgainstStore(advisory, session);
      storedExposures += result.affected.length;
      hostsRead += result.hostsRead;
    }
    const storedMs = performance.now() - storedStart;
    if (storedExposures !== exposures) throw new Error(`matching through the stored index found ${storedExposures} exposures, in memory ${exposures}`);
    console.log('');
    console.log(`stored index: ${hostCount.toLocaleString('en')} hosts saved through the host inventory store in ${(saveMs / 1000).toFixed(1)} s; redis used_memory ${mb(redisUsed)}`);
    console.log(`match all advisories (stored index)  ${storedMs.toFixed(0).padStart(7)} ms   ${(storedMs / advisoryCount).toFixed(2)} ms per advisory, ${storedExposures.toLocaleString('en')} exposures (same as in memory), ${hostsRead.toLocaleString('en')} host reads`);
    console.log(`peak RSS after stored matching: ${mb(process.resourceUsage().maxRSS * 1024)}`);
  } finally {
    await redis.quit();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
