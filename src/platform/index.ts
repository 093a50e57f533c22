export * from './clock.js';
export * from './free-port.js';
export * from './error-throttle.js';
export * from './logger.js';
export * from './redis.js';
export * from './redis-server-process.js';
export * from './secrets.js';
export * from './shutdown.js';
