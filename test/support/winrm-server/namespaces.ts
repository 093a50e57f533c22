/** WS-Management namespace URIs. Requests are matched on these, never on the prefixes a client chose. */
export const NS = {
  s: 'http://www.w3.org/2003/05/soap-envelope',
  a: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  x: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
  e: 'http://schemas.xmlsoap.org/ws/2004/08/eventing',
  n: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration',
  w: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  p: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  rsp: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  f: 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
} as const;

export const SHELL_CMD_URI = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd';
export const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';

export const ACTIONS = {
  Create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  Delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  Command: `${NS.rsp}/Command`,
  Receive: `${NS.rsp}/Receive`,
  Send: `${NS.rsp}/Send`,
  Signal: `${NS.rsp}/Signal`,
} as const;
export type OperationName = keyof typeof ACTIONS;

export const FAULT_ACTION = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault';
export const COMMAND_STATE = {
  running: `${NS.rsp}/CommandState/Running`,
  done: `${NS.rsp}/CommandState/Done`,
} as const;
export const SIGNALS = {
  terminate: `${NS.rsp}/signal/terminate`,
  ctrlC: `${NS.rsp}/signal/ctrl_c`,
  ctrlBreak: `${NS.rsp}/signal/ctrl_break`,
} as const;
