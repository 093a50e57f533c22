export { loadConfig, resolveConfigDir, type LoadConfigOptions } from './load.js';
export { findCustomer, findHost, findWindow, hostsOfGroup, hostsOfWindow, resolvePlaybook } from './resolved.js';
export type { MaintenanceWindow, PlaybookEntry, ResolvedConfig, Schedule } from './resolved.js';
export { formatPath } from './issues.js';
export * from './schemas/index.js';
