export * from './transport.js';
export * from './shell-quote.js';
export * from './local/index.js';
export * from './runner/index.js';
