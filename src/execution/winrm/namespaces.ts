/** WS-Management namespace URIs (WINRM.md §1.2). Responses are read by URI, whatever prefixes the host uses. */
export const NS = {
  s: 'http://www.w3.org/2003/05/soap-envelope',
  a: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  w: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  p: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  rsp: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  f: 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
} as const;

export const SHELL_CMD_URI = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';
export const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';

export const ACTION = {
  create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  command: `${NS.rsp}/Command`,
  receive: `${NS.rsp}/Receive`,
  send: `${NS.rsp}/Send`,
  signal: `${NS.rsp}/Signal`,
} as const;

export const SIGNAL_TERMINATE = `${NS.rsp}/signal/terminate`;
export const COMMAND_STATE_DONE = `${NS.rsp}/CommandState/Done`;

/** WSManFault codes the client acts on. */
export const WSMAN_CODE = {
  /** Receive saw no output within OperationTimeout: the command is still running, poll again. */
  operationTimeout: 2150858793,
  /** Unknown ShellId or CommandId. */
  invalidSelectors: 2150858843,
  /** More than MaxShellsPerUser shells. */
  quotaLimit: 2150859173,
  commandLineTooLong: 2147942606,
} as const;
