export * from './duration.js';
export * from './failure-class.js';
export * from './release-batch.js';
export * from './rollout.js';
export * from './windows/index.js';
export * from './priority.js';
export * from './sla/index.js';
