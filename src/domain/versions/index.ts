export * from './version-syntax-error.js';
export * from './debian.js';
export * from './rpm.js';
export * from './semver.js';
export * from './generic.js';
export * from './schemes.js';
export * from './ranges.js';
