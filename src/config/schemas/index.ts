export * from './baseline.js';
export * from './common.js';
export * from './customer-notices.js';
export * from './inventory.js';
export * from './playbook.js';
export * from './redback.js';
export * from './schedule.js';
