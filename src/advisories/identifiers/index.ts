export * from './purl.js';
export * from './cpe.js';
export * from './nevra.js';
export * from './package-safety.js';
