import { randomUUID } from 'node:crypto';
import { ANONYMOUS, FAULT_ACTION, NS } from './namespaces.js';
import { escapeXml } from './xml-text.js';

/**
 * Response envelopes shaped like the Windows WinRM service's: its prefixes, its namespace declarations per
 * response kind (they differ: a Receive response declares no `x`, a fault declares `e` and `n` but no `rsp`),
 * `xml:lang="en-US"` on the Envelope, a fresh uppercase MessageID and RelatesTo = the request's MessageID.
 */
type NamespaceSet = 'operation' | 'receive' | 'delete' | 'fault';

const DECLARATIONS: Record<NamespaceSet, readonly (keyof typeof NS)[]> = {
  operation: ['s', 'a', 'x', 'w', 'rsp', 'p'],
  receive: ['s', 'a', 'w', 'rsp', 'p'],
  delete: ['s', 'a', 'w', 'p'],
  fault: ['s', 'a', 'x', 'e', 'n', 'w', 'p'],
};

export function windowsGuid(): string {
  return randomUUID().toUpperCase();
}

export function envelope(set: NamespaceSet, action: string, relatesTo: string | undefined, body: string): string {
  const xmlns = DECLARATIONS[set].map((prefix) => ` xmlns:${prefix}="${NS[prefix]}"`).join('');
  const relates = relatesTo === undefined ? '' : `<a:RelatesTo>${escapeXml(relatesTo)}</a:RelatesTo>`;
  return (
    `<s:Envelope xml:lang="en-US"${xmlns}><s:Header><a:Action>${action}</a:Action>` +
    `<a:MessageID>uuid:${windowsGuid()}</a:MessageID><a:To>${ANONYMOUS}</a:To>${relates}</s:Header>` +
    `<s:Body>${body}</s:Body></s:Envelope>`
  );
}

export interface CreatedShell {
  shellId: string;
  address: string;
  owner: string;
  clientIp: string;
  environment: readonly (readonly [string, string])[];
  workingDirectory: string | undefined;
}

export function createResponse(relatesTo: string | undefined, shell: CreatedShell): string {
  const variables = shell.environment
    // Windows echoes variable names without their backslashes (seen in pypsrp's winrs_environment recording).
    .map(([name, value]) => `<rsp:Variable Name="${escapeXml(name.replace(/\\/g, ''))}">${escapeXml(value)}</rsp:Variable>`)
    .join('');
  const environment = variables === '' ? '' : `<rsp:Environment>${variables}</rsp:Environment>`;
  const directory =
    shell.workingDirectory === undefined ? '' : `<rsp:WorkingDirectory>${escapeXml(shell.workingDirectory)}</rsp:WorkingDirectory>`;
  const body =
    `<x:ResourceCreated><a:Address>${escapeXml(shell.address)}</a:Address><a:ReferenceParameters>` +
    `<w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI>` +
    `<w:SelectorSet><w:Selector Name="ShellId">${shell.shellId}</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>` +
    `<rsp:Shell xmlns:rsp="${NS.rsp}"><rsp:ShellId>${shell.shellId}</rsp:ShellId>` +
    `<rsp:ResourceUri>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</rsp:ResourceUri>` +
    `<rsp:Owner>${escapeXml(shell.owner)}</rsp:Owner><rsp:ClientIP>${escapeXml(shell.clientIp)}</rsp:ClientIP>` +
    `${environment}${directory}<rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut><rsp:InputStreams>stdin</rsp:InputStreams>` +
    `<rsp:OutputStreams>stdout stderr</rsp:OutputStreams><rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime>` +
    `<rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity></rsp:Shell>`;
  return envelope('operation', 'http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse', relatesTo, body);
}

export function commandResponse(relatesTo: string | undefined, commandId: string): string {
  return envelope(
    'operation',
    `${NS.rsp}/CommandResponse`,
    relatesTo,
    `<rsp:CommandResponse><rsp:CommandId>${commandId}</rsp:CommandId></rsp:CommandResponse>`,
  );
}

export interface StreamChunk {
  stream: 'stdout' | 'stderr';
  bytes: Buffer;
}

export function receiveResponse(
  relatesTo: string | undefined,
  commandId: string,
  chunks: readonly StreamChunk[],
  done: { exitCode: number } | undefined,
): string {
  const streams = chunks
    .map((chunk) => `<rsp:Stream Name="${chunk.stream}" CommandId="${commandId}">${chunk.bytes.toString('base64')}</rsp:Stream>`)
    .join('');
  const ends =
    done === undefined
      ? ''
      : `<rsp:Stream Name="stdout" CommandId="${commandId}" End="true"></rsp:Stream>` +
        `<rsp:Stream Name="stderr" CommandId="${commandId}" End="true"></rsp:Stream>`;
  const state =
    done === undefined
      ? `<rsp:CommandState CommandId="${commandId}" State="${NS.rsp}/CommandState/Running"></rsp:CommandState>`
      : `<rsp:CommandState CommandId="${commandId}" State="${NS.rsp}/CommandState/Done"><rsp:ExitCode>${done.exitCode}</rsp:ExitCode></rsp:CommandState>`;
  return envelope('receive', `${NS.rsp}/ReceiveResponse`, relatesTo, `<rsp:ReceiveResponse>${streams}${ends}${state}</rsp:ReceiveResponse>`);
}

export function sendResponse(relatesTo: string | undefined): string {
  return envelope('operation', `${NS.rsp}/SendResponse`, relatesTo, '<rsp:SendResponse/>');
}

export function signalResponse(relatesTo: string | undefined): string {
  return envelope('operation', `${NS.rsp}/SignalResponse`, relatesTo, '<rsp:SignalResponse/>');
}

export function deleteResponse(relatesTo: string | undefined): string {
  return envelope('delete', 'http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse', relatesTo, '');
}

export function faultEnvelope(relatesTo: string | undefined, faultBody: string): string {
  return envelope('fault', FAULT_ACTION, relatesTo, faultBody);
}
