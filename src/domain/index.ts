export * from './duration.js';
export * from './failure-class.js';
