export { createWinrmTransport, WinrmTransport, type WinrmTransportOptions } from './winrm-transport.js';
export { WinrmHttpError, WsmanFaultError } from './errors.js';
export { WinRsClient, type WinRsSettings } from './winrs-client.js';
export { WsmanChannel, type ChannelSettings } from './http-channel.js';
export { decodeClixml, encodePowerShell, MAX_COMMAND_LINE } from './powershell.js';
export { WSMAN_CODE } from './namespaces.js';
