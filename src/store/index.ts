export * from './audit.js';
export * from './tickets.js';
export * from './incidents.js';
export * from './problems.js';
