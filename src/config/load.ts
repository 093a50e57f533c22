import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { checkCrossReferences } from './cross-references.js';
import { emptyBrokenEntries, noteBrokenPlaybook, salvageInventory } from './salvage.js';
import { formatPath, zodIssuesToConfigIssues } from './issues.js';
import type { MaintenanceWindow, PlaybookEntry, ResolvedConfig, Schedule } from './resolved.js';
import {
  inventoryFileSchema,
  playbookSchema,
  redbackFileSchema,
  scheduleFileSchema,
  type Customer,
  type Host,
} from './schemas/index.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

export interface LoadConfigOptions {
  /** `--config DIR`; else `$REDBACK_CONFIG`; else the current directory. */
  dir?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * Checks that need more than the config model (window arithmetic lives in `scheduling/`, which `config/`
   * may not import). Each returns issues; errors fail the load, warnings are kept on the result.
   */
  validators?: ReadonlyArray<(config: ResolvedConfig) => ConfigIssue[]>;
}

export function resolveConfigDir(options: Pick<LoadConfigOptions, 'dir' | 'env' | 'cwd'> = {}): string {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const chosen = options.dir ?? (env.REDBACK_CONFIG !== undefined && env.REDBACK_CONFIG !== '' ? env.REDBACK_CONFIG : cwd);
  return resolve(cwd, chosen);
}

/**
 * Loads and validates the whole configuration. Every problem of every file is collected before failing, so an
 * engineer fixes them in one pass. Throws `ConfigError` listing them all.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<ResolvedConfig> {
  const dir = resolveConfigDir(options);
  const env = options.env ?? process.env;
  const issues: ConfigIssue[] = [];

  const dirStat = await stat(dir).catch(() => undefined);
  if (dirStat === undefined || !dirStat.isDirectory()) {
    throw new ConfigError([{ file: dir, path: '', message: 'expected a configuration directory (with redback.yaml, inventory/, schedules/, playbooks/); it does not exist or is not a directory', severity: 'error' }]);
  }

  const redbackSource = await readYaml(dir, 'redback.yaml', issues, { optional: true });
  const settings = parseWith(redbackSource, redbackFileSchema, issues) ?? redbackFileSchema.parse({});

  const customers: Customer[] = [];
  const hosts: Host[] = [];
  const sources: Record<string, string> = {};
  const inventoryPositions = new Map<string, { source: YamlSource; path: PropertyKey[] }>();
  const broken = emptyBrokenEntries();
  for (const source of await readYamlDir(dir, 'inventory', issues)) {
    // A file with one bad entry still contributes its good ones, so that the bad entry is reported once and not
    // again as a dangling reference from every schedule that names it.
    const parsed = parseWith(source, inventoryFileSchema, issues) ?? salvageInventory(source, broken);
    parsed.customers.forEach((customer, index) => {
      if (claimId(sources, 'customer', customer.id, source, ['customers', index, 'id'], issues)) customers.push(customer);
      inventoryPositions.set(`customer/${customer.id}`, { source, path: ['customers', index] });
    });
    parsed.hosts.forEach((host, index) => {
      if (claimId(sources, 'host', host.id, source, ['hosts', index, 'id'], issues)) hosts.push(host);
      inventoryPositions.set(`host/${host.id}`, { source, path: ['hosts', index] });
    });
  }

  const playbooks: PlaybookEntry[] = [];
  const playbookPositions = new Map<string, YamlSource>();
  for (const source of await readYamlDir(dir, 'playbooks', issues)) {
    const parsed = parseWith(source, playbookSchema, issues);
    if (parsed === undefined) {
      noteBrokenPlaybook(source, broken);
      continue;
    }
    if (claimId(sources, 'playbook', parsed.id, source, ['id'], issues)) {
      playbooks.push({ ...parsed, file: source.file });
      playbookPositions.set(parsed.id, source);
    }
  }

  const schedules: Schedule[] = [];
  const windows: MaintenanceWindow[] = [];
  const schedulePositions = new Map<string, YamlSource>();
  for (const source of await readYamlDir(dir, 'schedules', issues)) {
    const parsed = parseWith(source, scheduleFileSchema, issues);
    if (parsed === undefined) continue;
    const customer = customers.find((c) => c.id === parsed.customer);
    if (customer === undefined && !broken.customers.has(parsed.customer)) {
      issues.push({ file: source.file, line: source.lineOf(['customer']), path: 'customer', message: `expected the id of an inventory customer (${listIds(customers)}), given ${JSON.stringify(parsed.customer)}`, severity: 'error' });
    }
    const timezone = parsed.timezone ?? customer?.timezone ?? 'UTC';
    const scheduleWindows: MaintenanceWindow[] = [];
    parsed.windows.forEach((window, index) => {
      if (!claimId(sources, 'window', window.id, source, ['windows', index, 'id'], issues)) return;
      scheduleWindows.push({ ...window, customerId: parsed.customer, timezone, file: source.file });
    });
    parsed.blackouts.forEach((blackout, index) => {
      claimId(sources, 'blackout', blackout.id, source, ['blackouts', index, 'id'], issues);
    });
    schedulePositions.set(source.file, source);
    windows.push(...scheduleWindows);
    schedules.push({ file: source.file, customerId: parsed.customer, timezone, windows: scheduleWindows, blackouts: parsed.blackouts, baselines: parsed.baselines });
  }
  settings.blackouts.forEach((blackout, index) => {
    if (redbackSource !== undefined) claimId(sources, 'blackout', blackout.id, redbackSource, ['blackouts', index, 'id'], issues);
  });

  const redisFromEnv = env.REDIS_URL !== undefined && env.REDIS_URL !== '' ? env.REDIS_URL : undefined;
  const config: ResolvedConfig = {
    dir,
    settings: {
      ...settings,
      redis: {
        ...settings.redis,
        url: redisFromEnv ?? settings.redis.url,
        urlSource: redisFromEnv !== undefined ? 'env' : settings.redis.url !== undefined ? 'file' : 'none',
      },
    },
    customers,
    hosts,
    schedules,
    windows,
    playbooks,
    sources,
    warnings: [],
  };

  issues.push(...checkCrossReferences(config, { inventoryPositions, playbookPositions, schedulePositions }, broken));
  if (!issues.some((i) => i.severity === 'error')) {
    for (const validator of options.validators ?? []) issues.push(...validator(config));
  }
  if (issues.some((i) => i.severity === 'error')) throw new ConfigError(sortIssues(issues));
  return deepFreeze({ ...config, warnings: sortIssues(issues.filter((i) => i.severity === 'warning')) });
}

function parseWith<S extends z.ZodType>(source: YamlSource | undefined, schema: S, issues: ConfigIssue[]): z.output<S> | undefined {
  if (source === undefined) return undefined;
  const data = source.data ?? {};
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  issues.push(...zodIssuesToConfigIssues(source, result.error));
  return undefined;
}

function claimId(sources: Record<string, string>, kind: string, id: string, source: YamlSource, path: PropertyKey[], issues: ConfigIssue[]): boolean {
  const key = `${kind}/${id}`;
  const earlier = sources[key];
  if (earlier !== undefined) {
    issues.push({ file: source.file, line: source.lineOf(path), path: formatPath(path), message: `duplicate ${kind} id ${JSON.stringify(id)}: already defined in ${earlier}; ids must be unique across files`, severity: 'error' });
    return false;
  }
  sources[key] = source.file;
  return true;
}

async function readYaml(dir: string, file: string, issues: ConfigIssue[], options: { optional: boolean }): Promise<YamlSource | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && options.optional) return undefined;
    issues.push({ file, path: '', message: `cannot read the file: ${(error as Error).message}`, severity: 'error' });
    return undefined;
  }
  const { source, issues: yamlIssues } = parseYamlSource(file, text);
  issues.push(...yamlIssues);
  return source;
}

async function readYamlDir(dir: string, folder: string, issues: ConfigIssue[]): Promise<YamlSource[]> {
  const entries = await readdir(join(dir, folder)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const sources: YamlSource[] = [];
  for (const name of entries.filter((e) => /\.ya?ml$/.test(e)).sort()) {
    const source = await readYaml(dir, relative(dir, join(dir, folder, name)), issues, { optional: false });
    if (source !== undefined) sources.push(source);
  }
  return sources;
}

function listIds(items: ReadonlyArray<{ id: string }>): string {
  return items.length === 0 ? 'none defined' : items.map((i) => i.id).join(', ');
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
