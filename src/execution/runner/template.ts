import type { Playbook } from '../../config/index.js';
import { quotePosix, quotePowerShell } from '../shell-quote.js';
import type { PackageSpec, ParamValue, ParamValues } from './params.js';

/**
 * Command templates: `{{ name }}` or `{{ name | filter }}` inside a command. A parameter reaches the command only
 * as shell-quoted words for the target shell, never as raw text, so no value can add syntax to a command.
 *
 * Filters for `packages`: `apt` and `zypper` render `name=version`, `dnf` renders `name-version`, `names` only the
 * names. In POSIX sh a list becomes separate words (nothing at all when empty: use `set -- {{ packages | apt }}`);
 * in PowerShell it becomes an array literal `@('a','b')`. `check_mode` is built in: true in a dry run.
 */
export type TemplateShell = 'posix' | 'powershell';

export const PACKAGE_FILTERS = ['apt', 'zypper', 'dnf', 'names'] as const;
type PackageFilter = (typeof PACKAGE_FILTERS)[number];
export const BUILTIN_CHECK_MODE = 'check_mode';

type Part = { text: string } | { param: string; filter: PackageFilter | undefined };
export type Template = readonly Part[];

const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]*)\s*(?:\|\s*([a-z]+)\s*)?\}\}/g;

/** Parses a template and checks every reference against the declared parameters; returns the problems found. */
export function parseTemplate(text: string, params: Playbook['params']): { template: Template; problems: string[] } {
  const parts: Part[] = [];
  const problems: string[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const [whole, name = '', filter] = match;
    const literal = text.slice(last, match.index);
    reportStrayBraces(literal, problems);
    parts.push({ text: literal });
    last = match.index + whole.length;
    const declared = params[name];
    if (name === BUILTIN_CHECK_MODE) {
      if (filter !== undefined) problems.push(`{{ ${BUILTIN_CHECK_MODE} }} takes no filter, given "| ${filter}"`);
      parts.push({ param: name, filter: undefined });
      continue;
    }
    if (declared === undefined) {
      const known = [...Object.keys(params), BUILTIN_CHECK_MODE];
      problems.push(`{{ ${name} }} names no parameter; declared: ${known.join(', ')}`);
      continue;
    }
    if (declared.type === 'packages') {
      if (filter === undefined || !(PACKAGE_FILTERS as readonly string[]).includes(filter)) {
        problems.push(`{{ ${name} }} is a package list: say how to write it with a filter, one of ${PACKAGE_FILTERS.map((f) => `| ${f}`).join(', ')}${filter === undefined ? '' : `; given "| ${filter}"`}`);
        continue;
      }
      parts.push({ param: name, filter: filter as PackageFilter });
    } else {
      if (filter !== undefined) problems.push(`{{ ${name} }} is a ${declared.type} and takes no filter, given "| ${filter}"`);
      parts.push({ param: name, filter: undefined });
    }
  }
  const tail = text.slice(last);
  reportStrayBraces(tail, problems);
  parts.push({ text: tail });
  return { template: parts.filter((p) => !('text' in p) || p.text !== ''), problems };
}

function reportStrayBraces(literal: string, problems: string[]): void {
  const at = literal.indexOf('{{');
  if (at >= 0) problems.push(`"${literal.slice(at, at + 30)}" looks like a placeholder but is not {{ name }} or {{ name | filter }}`);
}

/** Renders a parsed template with validated values, quoting every value for `shell`. */
export function renderTemplate(template: Template, values: ParamValues, shell: TemplateShell, checkMode: boolean): string {
  return template
    .map((part) => {
      if ('text' in part) return part.text;
      if (part.param === BUILTIN_CHECK_MODE) return renderScalar(checkMode, shell);
      const value = values[part.param];
      if (part.filter !== undefined) return renderPackages(Array.isArray(value) ? (value as PackageSpec[]) : [], part.filter, shell);
      return renderScalar(value === undefined || Array.isArray(value) ? '' : (value as Exclude<ParamValue, readonly PackageSpec[]>), shell);
    })
    .join('');
}

/** One quoted word for a single value (used for environment values too). */
export function renderScalar(value: string | number | boolean, shell: TemplateShell): string {
  if (shell === 'powershell') {
    if (typeof value === 'boolean') return value ? '$true' : '$false';
    if (typeof value === 'number') return String(value);
    return quotePowerShell(value);
  }
  return quotePosix(String(value));
}

function renderPackages(specs: readonly PackageSpec[], filter: PackageFilter, shell: TemplateShell): string {
  const words = specs.map((spec) => {
    if (spec.version === undefined || filter === 'names') return spec.name;
    return filter === 'dnf' ? `${spec.name}-${spec.version}` : `${spec.name}=${spec.version}`;
  });
  if (shell === 'powershell') return `@(${words.map(quotePowerShell).join(',')})`;
  return words.map(quotePosix).join(' ');
}
