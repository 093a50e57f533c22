export * from './catalog.js';
export * from './host-lock.js';
export * from './queues.js';
export * from './retry-policy.js';
