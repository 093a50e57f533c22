export * from './transport.js';
export * from './shell-quote.js';
export * from './ssh/index.js';
export * from './local/index.js';
export * from './runner/index.js';
export * from './transport-factory.js';
export * from './winrm/index.js';
export { OutputCapture } from './output-capture.js';
