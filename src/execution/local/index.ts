export { LocalTransport, type LocalTransportOptions } from './local-transport.js';
