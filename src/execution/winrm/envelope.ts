import { randomUUID } from 'node:crypto';
import { ACTION, ANONYMOUS, NS, SHELL_CMD_URI } from './namespaces.js';

/** One outgoing WS-Management message and the MessageID its answer must relate to. */
export interface OutgoingMessage {
  messageId: string;
  xml: string;
}

export interface HeaderSettings {
  /** The endpoint, for wsa:To (Windows ignores it, but it is part of the shape). */
  to: string;
  operationTimeoutMs: number;
  maxEnvelopeSize: number;
}

function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function isoSeconds(ms: number): string {
  return `PT${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')}S`;
}

function message(
  settings: HeaderSettings,
  action: string,
  body: string,
  extra: { shellId?: string; options?: Record<string, string> } = {},
): OutgoingMessage {
  // A fresh MessageID per request: Windows relates its answer to it, and a reused one hides lost answers.
  const messageId = `uuid:${randomUUID().toUpperCase()}`;
  const selectors =
    extra.shellId === undefined ? '' : `<w:SelectorSet><w:Selector Name="ShellId">${escape(extra.shellId)}</w:Selector></w:SelectorSet>`;
  const options =
    extra.options === undefined
      ? ''
      : `<w:OptionSet>${Object.entries(extra.options)
          .map(([name, value]) => `<w:Option Name="${escape(name)}">${escape(value)}</w:Option>`)
          .join('')}</w:OptionSet>`;
  const xml =
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<s:Envelope xmlns:s="${NS.s}" xmlns:a="${NS.a}" xmlns:w="${NS.w}" xmlns:p="${NS.p}" xmlns:rsp="${NS.rsp}"><s:Header>` +
    `<a:To>${escape(settings.to)}</a:To>` +
    `<a:ReplyTo><a:Address s:mustUnderstand="true">${ANONYMOUS}</a:Address></a:ReplyTo>` +
    `<a:Action s:mustUnderstand="true">${action}</a:Action>` +
    `<a:MessageID>${messageId}</a:MessageID>` +
    `<w:ResourceURI s:mustUnderstand="true">${SHELL_CMD_URI}</w:ResourceURI>` +
    `<w:MaxEnvelopeSize s:mustUnderstand="true">${settings.maxEnvelopeSize}</w:MaxEnvelopeSize>` +
    `<w:OperationTimeout>${isoSeconds(settings.operationTimeoutMs)}</w:OperationTimeout>` +
    `<w:Locale s:mustUnderstand="false" xml:lang="en-US"/><p:DataLocale s:mustUnderstand="false" xml:lang="en-US"/>` +
    `${selectors}${options}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
  return { messageId, xml };
}

export function createShellMessage(settings: HeaderSettings, shell: { codepage: number; noProfile: boolean }): OutgoingMessage {
  return message(
    settings,
    ACTION.create,
    '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>',
    { options: { WINRS_NOPROFILE: shell.noProfile ? 'TRUE' : 'FALSE', WINRS_CODEPAGE: String(shell.codepage) } },
  );
}

export function commandMessage(settings: HeaderSettings, shellId: string, command: string, args: readonly string[]): OutgoingMessage {
  const argumentsXml = args.map((argument) => `<rsp:Arguments>${escape(argument)}</rsp:Arguments>`).join('');
  return message(settings, ACTION.command, `<rsp:CommandLine><rsp:Command>${escape(command)}</rsp:Command>${argumentsXml}</rsp:CommandLine>`, {
    shellId,
    options: { WINRS_CONSOLEMODE_STDIN: 'TRUE', WINRS_SKIP_CMD_SHELL: 'FALSE' },
  });
}

export function receiveMessage(settings: HeaderSettings, shellId: string, commandId: string): OutgoingMessage {
  return message(settings, ACTION.receive, `<rsp:Receive><rsp:DesiredStream CommandId="${escape(commandId)}">stdout stderr</rsp:DesiredStream></rsp:Receive>`, {
    shellId,
    options: { WSMAN_CMDSHELL_OPTION_KEEPALIVE: 'TRUE' },
  });
}

export function signalMessage(settings: HeaderSettings, shellId: string, commandId: string, code: string): OutgoingMessage {
  return message(settings, ACTION.signal, `<rsp:Signal CommandId="${escape(commandId)}"><rsp:Code>${code}</rsp:Code></rsp:Signal>`, { shellId });
}

export function deleteShellMessage(settings: HeaderSettings, shellId: string): OutgoingMessage {
  return message(settings, ACTION.delete, '', { shellId });
}
