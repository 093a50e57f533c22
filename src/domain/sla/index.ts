export * from './business-calendar.js';
export * from './clock.js';
