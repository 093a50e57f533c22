export { compilePlaybook, checkPlaybookTemplates, PlaybookInputError, type CompileOptions, type ExecutionPlan, type PlannedCommand, type PlannedStep, type PlanIssue } from './plan.js';
export { checkConfiguredPlaybookTemplates } from './config-validator.js';
export { validateParams, type PackageSpec, type ParamValue, type ParamValues } from './params.js';
export { packagePatternFor } from './package-patterns.js';
export { runPlanOnHost, capTail, type RunEvent, type RunHostOptions } from './run-host.js';
export { HOST_RUN_STATUSES, type CommandResult, type HostRunResult, type HostRunStatus, type RebootOutcome, type RunPhase } from './result.js';
export type { ScanResult } from './scan-result.js';
export type { InstalledPackage, PackageChange, WuaReport, WuaUpdate } from './output-protocol.js';
