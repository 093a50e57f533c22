export * from './roles.js';
export * from './canonical-json.js';
export * from './content-hash.js';
export * from './policy.js';
export * from './evaluate.js';
export * from './reminders.js';
