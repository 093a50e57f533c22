import type { Playbook } from '../../config/index.js';
import { AppError } from '../../errors.js';
import { validateParams, type ParamValues } from './params.js';
import { parseTemplate, renderScalar, renderTemplate, type Template, type TemplateShell } from './template.js';

/**
 * Compiling a playbook with its parameters gives the execution plan: every command rendered and quoted for the
 * target shell, every default filled in. All input problems surface here, before a single command runs.
 */
export interface PlannedCommand {
  name: string;
  command: string;
  timeoutMs: number;
  become: boolean;
  powershell: boolean;
}

export interface Matcher {
  stdout?: string | undefined;
  stderr?: string | undefined;
  exitCodes?: number[] | undefined;
  exitCodesNot?: number[] | undefined;
}

export interface PlannedStep extends PlannedCommand {
  /** Check mode and the step has no `check` command: it is reported as skipped, not run. */
  skip: boolean;
  retries: number;
  delayMs: number;
  changedWhen: Matcher | undefined;
  failedWhen: Matcher | undefined;
}

export interface ExecutionPlan {
  playbookId: string;
  playbookFile: string | undefined;
  kind: Playbook['kind'];
  os: Playbook['os'];
  checkMode: boolean;
  params: ParamValues;
  preChecks: PlannedCommand[];
  packagesQuery: PlannedCommand | undefined;
  steps: PlannedStep[];
  reboot: Playbook['reboot'];
  rebootIf: PlannedCommand | undefined;
  postChecks: PlannedCommand[];
}

export const DEFAULT_STEP_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_CHECK_TIMEOUT_MS = 5 * 60_000;
const PACKAGES_QUERY_TIMEOUT_MS = 10 * 60_000;

/** One problem in a playbook or its parameters, located by file and path like a config issue. */
export interface PlanIssue {
  file: string;
  path: string;
  message: string;
}

export class PlaybookInputError extends AppError {
  readonly issues: readonly PlanIssue[];
  constructor(playbookId: string, issues: readonly PlanIssue[]) {
    super(
      'input-invalid',
      `playbook ${playbookId} cannot run: ${issues.length} problem${issues.length === 1 ? '' : 's'}, nothing was run:\n` +
        issues.map((i) => `  ${i.file}: ${i.path}: ${i.message}`).join('\n'),
      { details: issues },
    );
    this.issues = issues;
  }
}

export interface CompileOptions {
  /** Raw parameter values (YAML/JSON values or `--param` strings); checked against the declared types. */
  params?: Readonly<Record<string, unknown>>;
  checkMode?: boolean;
}

type PlaybookSource = Playbook & { file?: string };

/** The problems in a playbook's templates alone (no parameter values needed): for `validate` and for tests. */
export function checkPlaybookTemplates(playbook: PlaybookSource): PlanIssue[] {
  const issues: PlanIssue[] = [];
  forEachCommand(playbook, (path, text) => {
    for (const message of parseTemplate(text, playbook.params).problems) issues.push({ file: playbook.file ?? playbook.id, path, message });
  });
  for (const [name, value] of Object.entries(playbook.environment)) {
    const { template, problems } = parseTemplate(value, playbook.params);
    for (const message of problems) issues.push({ file: playbook.file ?? playbook.id, path: `environment.${name}`, message });
    if (template.length > 1) issues.push({ file: playbook.file ?? playbook.id, path: `environment.${name}`, message: 'expected literal text or exactly one {{ param }}, given a mix' });
  }
  playbook.steps.forEach((step, index) => {
    if (playbook.os === 'windows' && step.powershell === false) {
      issues.push({ file: playbook.file ?? playbook.id, path: `steps[${index}].powershell`, message: 'cmd.exe steps are not supported (cmd has no safe quoting for parameters); write the step in PowerShell' });
    }
  });
  return issues;
}

export function compilePlaybook(playbook: PlaybookSource, options: CompileOptions = {}): ExecutionPlan {
  const file = playbook.file ?? playbook.id;
  const checkMode = options.checkMode ?? false;
  const issues = checkPlaybookTemplates(playbook);
  const { values, issues: paramIssues } = validateParams(playbook.params, playbook.os, options.params ?? {});
  issues.push(...paramIssues.map((i) => ({ file, path: `params.${i.path}`, message: i.message })));
  if (issues.length > 0) throw new PlaybookInputError(playbook.id, issues);

  const shell: TemplateShell = playbook.os === 'windows' ? 'powershell' : 'posix';
  const powershell = shell === 'powershell';
  const prelude = environmentPrelude(playbook, values, shell);
  const render = (text: string): string => prelude + renderTemplate(parse(text, playbook), values, shell, checkMode);
  const command = (name: string, text: string, timeoutMs: number | undefined, become: boolean, fallbackMs: number): PlannedCommand => ({
    name,
    command: render(text),
    timeoutMs: timeoutMs ?? fallbackMs,
    become,
    powershell,
  });

  return {
    playbookId: playbook.id,
    playbookFile: playbook.file,
    kind: playbook.kind,
    os: playbook.os,
    checkMode,
    params: values,
    preChecks: playbook.preChecks.map((c) => command(c.name, c.run, c.timeoutMs, c.become, DEFAULT_CHECK_TIMEOUT_MS)),
    packagesQuery: playbook.packagesQuery === undefined ? undefined : command('installed packages', playbook.packagesQuery, undefined, false, PACKAGES_QUERY_TIMEOUT_MS),
    steps: playbook.steps.map((step) => {
      const text = checkMode ? step.check : step.run;
      return {
        ...command(step.name, text ?? '', step.timeoutMs, step.become, DEFAULT_STEP_TIMEOUT_MS),
        command: text === undefined ? '' : render(text),
        skip: text === undefined,
        retries: step.retries,
        delayMs: step.delayMs,
        changedWhen: step.changedWhen,
        failedWhen: step.failedWhen,
      };
    }),
    reboot: playbook.reboot,
    rebootIf: playbook.rebootIf === undefined ? undefined : command('reboot needed?', playbook.rebootIf, undefined, false, DEFAULT_CHECK_TIMEOUT_MS),
    postChecks: playbook.postChecks.map((c) => command(c.name, c.run, c.timeoutMs, c.become, DEFAULT_CHECK_TIMEOUT_MS)),
  };
}

function parse(text: string, playbook: Playbook): Template {
  return parseTemplate(text, playbook.params).template;
}

/** `export NAME=value` (sh) or `$env:NAME = value` (PowerShell) lines; a variable bound to an unset parameter is left out. */
function environmentPrelude(playbook: Playbook, values: ParamValues, shell: TemplateShell): string {
  const lines: string[] = [];
  for (const [name, text] of Object.entries(playbook.environment)) {
    const [part] = parse(text, playbook);
    let value: string | number | boolean;
    if (part === undefined) value = '';
    else if ('text' in part) value = part.text;
    else {
      const given = values[part.param];
      if (given === undefined || Array.isArray(given) || given === '') continue;
      value = given as string | number | boolean;
    }
    lines.push(shell === 'powershell' ? `$env:${name} = ${renderScalar(String(value), shell)}` : `export ${name}=${renderScalar(String(value), shell)}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function forEachCommand(playbook: Playbook, visit: (path: string, text: string) => void): void {
  playbook.preChecks.forEach((c, i) => visit(`pre_checks[${i}].run`, c.run));
  playbook.steps.forEach((s, i) => {
    visit(`steps[${i}].run`, s.run);
    if (s.check !== undefined) visit(`steps[${i}].check`, s.check);
  });
  if (playbook.rebootIf !== undefined) visit('reboot_if', playbook.rebootIf);
  if (playbook.packagesQuery !== undefined) visit('packages_query', playbook.packagesQuery);
  playbook.postChecks.forEach((c, i) => visit(`post_checks[${i}].run`, c.run));
}
