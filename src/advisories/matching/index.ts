export * from './inventory.js';
export * from './match.js';
export * from './from-scan.js';
export * from './stored.js';
