export * from './baseline.js';
export * from './auto-approval.js';
export * from './select-updates.js';
