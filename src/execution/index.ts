export * from './transport.js';
export * from './shell-quote.js';
