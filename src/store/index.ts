export * from './audit.js';
export * from './batches.js';
export * from './events.js';
export * from './keys.js';
export * from './runs.js';
export * from './tickets.js';
export * from './incidents.js';
export * from './problems.js';
