import type { OsFamily, Playbook } from '../../config/index.js';
import { packagePatternFor } from './package-patterns.js';

/** A package as an advisory or an operator names it: the version is the one to install, when given. */
export interface PackageSpec {
  name: string;
  version?: string;
}

export type ParamValue = string | number | boolean | readonly PackageSpec[];
export type ParamValues = Readonly<Record<string, ParamValue | undefined>>;

/** One rejected parameter: its dotted path (`packages[0].name`) and what was wrong. */
export interface ParamIssue {
  path: string;
  message: string;
}

type ParamDeclaration = Playbook['params'][string];

/** Absolute POSIX or Windows path of ordinary characters: it is quoted anyway, this keeps it readable in logs. */
const PATH_PATTERN = /^(?:\/|[A-Za-z]:\\)[A-Za-z0-9._\-/\\ ]{0,1023}$/;

/**
 * Checks the values given for a playbook's parameters against their declared types, before anything runs.
 * Raw values come from YAML, JSON or `--param k=v` (strings), so strings are converted where the type says how.
 * Returns the typed values and every problem found, never only the first.
 */
export function validateParams(
  params: Playbook['params'],
  os: OsFamily,
  raw: Readonly<Record<string, unknown>>,
): { values: Record<string, ParamValue | undefined>; issues: ParamIssue[] } {
  const values: Record<string, ParamValue | undefined> = {};
  const issues: ParamIssue[] = [];
  for (const name of Object.keys(raw)) {
    if (!(name in params)) {
      const known = Object.keys(params);
      issues.push({ path: name, message: `unknown parameter; this playbook takes ${known.length === 0 ? 'no parameters' : known.join(', ')}` });
    }
  }
  for (const [name, declaration] of Object.entries(params)) {
    const given = raw[name] ?? declaration.default;
    if (given === undefined || given === null) {
      if (!declaration.optional) issues.push({ path: name, message: `required parameter of type ${declaration.type} is missing` });
      continue;
    }
    const value = convert(name, declaration, os, given, issues);
    if (value !== undefined) values[name] = value;
  }
  return { values, issues };
}

function convert(name: string, declaration: ParamDeclaration, os: OsFamily, given: unknown, issues: ParamIssue[]): ParamValue | undefined {
  const fail = (message: string, path = name): undefined => {
    issues.push({ path, message });
    return undefined;
  };
  switch (declaration.type) {
    case 'string':
      if (typeof given !== 'string') return fail(`expected a string, given ${show(given)}`);
      if (given.includes('\0')) return fail('expected a string without NUL bytes');
      return given;
    case 'number': {
      const number = typeof given === 'string' && given.trim() !== '' ? Number(given) : given;
      if (typeof number !== 'number' || !Number.isFinite(number)) return fail(`expected a number, given ${show(given)}`);
      return number;
    }
    case 'boolean':
      if (typeof given === 'boolean') return given;
      if (given === 'true' || given === 'false') return given === 'true';
      return fail(`expected true or false, given ${show(given)}`);
    case 'path':
      if (typeof given !== 'string' || !PATH_PATTERN.test(given)) {
        return fail(`expected an absolute path of letters, digits, ".", "_", "-", "/" (or a Windows path), given ${show(given)}`);
      }
      return given;
    case 'package-name': {
      const pattern = packagePatternFor(os);
      if (typeof given !== 'string' || !pattern.name.test(given)) return fail(`expected a ${os} package name: ${pattern.nameHint}; given ${show(given)}`);
      return given;
    }
    case 'packages':
      return convertPackages(name, os, given, issues);
  }
}

/**
 * `packages` accepts a list of `{ name, version? }`, a list of names, or (from the command line) a comma-separated
 * string `openssl,libssl3=3.0.11-1~deb12u2`.
 */
function convertPackages(name: string, os: OsFamily, given: unknown, issues: ParamIssue[]): PackageSpec[] | undefined {
  const pattern = packagePatternFor(os);
  let items: unknown[];
  if (typeof given === 'string') {
    items = given.split(',').map((item) => item.trim()).filter((item) => item !== '');
  } else if (Array.isArray(given)) {
    items = given;
  } else {
    issues.push({ path: name, message: `expected a list of packages ({ name, version? }), given ${show(given)}` });
    return undefined;
  }
  const specs: PackageSpec[] = [];
  const before = issues.length;
  items.forEach((item, index) => {
    const at = `${name}[${index}]`;
    let spec: { name: unknown; version?: unknown };
    if (typeof item === 'string') {
      const eq = item.indexOf('=');
      spec = eq < 0 ? { name: item } : { name: item.slice(0, eq), version: item.slice(eq + 1) };
    } else if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const extra = Object.keys(item).filter((key) => key !== 'name' && key !== 'version');
      if (extra.length > 0) issues.push({ path: `${at}.${extra[0]}`, message: 'unknown key; a package has only name and version' });
      spec = item as { name: unknown; version?: unknown };
    } else {
      issues.push({ path: at, message: `expected a package { name, version? }, given ${show(item)}` });
      return;
    }
    if (typeof spec.name !== 'string' || !pattern.name.test(spec.name)) {
      issues.push({ path: `${at}.name`, message: `expected a ${os} package name: ${pattern.nameHint}; given ${show(spec.name)}` });
      return;
    }
    if (spec.version !== undefined && (typeof spec.version !== 'string' || !pattern.version.test(spec.version))) {
      issues.push({ path: `${at}.version`, message: `expected a ${os} package version: ${pattern.versionHint}; given ${show(spec.version)}` });
      return;
    }
    specs.push(spec.version === undefined ? { name: spec.name } : { name: spec.name, version: spec.version });
  });
  return issues.length === before ? specs : undefined;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value)}`;
}
