export * from './messages.js';
export * from './notification-queue.js';
export * from './senders.js';
export * from './signature.js';
