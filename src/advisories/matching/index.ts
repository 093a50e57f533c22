export * from './inventory.js';
export * from './match.js';
