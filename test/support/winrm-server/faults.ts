import { escapeXml } from './xml-text.js';
import { NS } from './namespaces.js';

/**
 * The faults the Windows WinRM service returns, with their recorded texts and codes (WINRM.md §1.5; the
 * recordings under fixtures/winrm/). Every fault goes out as HTTP 500.
 */
export interface FaultSpec {
  code: 's:Sender' | 's:Receiver';
  subcode: string;
  reason: string;
  /** Inner XML of s:Detail, built with the machine name. */
  detail: (machine: string) => string;
}

const WINRSCMD = 'path="%systemroot%\\system32\\winrscmd.dll"';

function wsmanFault(code: string, message: string, faultDetail?: string): (machine: string) => string {
  return (machine) =>
    (faultDetail === undefined ? '' : `<w:FaultDetail>${faultDetail}</w:FaultDetail>`) +
    `<f:WSManFault xmlns:f="${NS.f}" Code="${code}" Machine="${escapeXml(machine)}"><f:Message>${message}</f:Message></f:WSManFault>`;
}

function providerFault(text: string): string {
  return `<f:ProviderFault provider="Shell cmd plugin" ${WINRSCMD}>${text}</f:ProviderFault>`;
}

const TIMED_OUT_TEXT = 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  ';

export const FAULTS = {
  timedOut: {
    code: 's:Receiver',
    subcode: 'w:TimedOut',
    reason: TIMED_OUT_TEXT,
    detail: wsmanFault('2150858793', TIMED_OUT_TEXT),
  },
  unknownCommand: {
    code: 's:Sender',
    subcode: 'w:InvalidSelectors',
    reason: 'The WS-Management service cannot process the request because the request contained invalid selectors for the resource. ',
    detail: wsmanFault(
      '2150858843',
      'The Windows Remote Shell received a request to perform an operation on a command identifier that does not exist. Either the command has completed execution or the client specified an invalid command identifier. ',
      'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors',
    ),
  },
  missingCommandId: {
    code: 's:Sender',
    subcode: 'w:InvalidParameter',
    reason: 'The parameter is incorrect. ',
    detail: wsmanFault('87', providerFault('The parameter is incorrect. '), 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidValue'),
  },
  fileNotFound: {
    code: 's:Receiver',
    subcode: 'w:InternalError',
    reason: 'The system cannot find the file specified. ',
    detail: wsmanFault('2147942402', providerFault('The system cannot find the file specified. ')),
  },
  commandLineTooLong: {
    code: 's:Receiver',
    subcode: 'w:InternalError',
    reason: 'The filename or extension is too long. ',
    detail: wsmanFault('2147942606', providerFault('The filename or extension is too long. ')),
  },
  quotaLimit: {
    code: 's:Sender',
    subcode: 'w:QuotaLimit',
    reason:
      'The WS-Management service cannot process the request. The maximum number of concurrent shells for this user has been exceeded. Close existing shells or raise the quota for this user. ',
    detail: () =>
      `<p:MSFT_WmiError b:IsCIM_Error="true" xmlns:b="http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError" xsi:type="p:MSFT_WmiError_Type" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
      `<p:CIMStatusCode xsi:type="cim:cimUnsignedInt">27</p:CIMStatusCode>` +
      `<p:Message xsi:type="cim:cimString">The WS-Management service cannot process the request. This user is allowed a maximum number of 30 concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user. </p:Message>` +
      `<p:MessageID xsi:type="cim:cimString">HRESULT 0x803381a5</p:MessageID>` +
      `<p:error_Category xsi:type="cim:cimUnsignedInt">30</p:error_Category><p:error_Code xsi:type="cim:cimUnsignedInt">2150859173</p:error_Code>` +
      `<p:error_Type xsi:type="cim:cimString">HRESULT</p:error_Type></p:MSFT_WmiError>`,
  },
  actionNotSupported: {
    code: 's:Sender',
    subcode: 'a:ActionNotSupported',
    reason: 'The action is not supported by the service. ',
    detail: wsmanFault('2150858754', 'The WS-Management service cannot process the request because the action is not supported. '),
  },
  invalidResourceUri: {
    code: 's:Sender',
    subcode: 'w:DestinationUnreachable',
    reason: 'The WS-Management service cannot process the request. The resource URI is not valid or not supported. ',
    detail: wsmanFault('2150858770', 'The WS-Management service cannot process the request because the resource URI is not valid. '),
  },
} satisfies Record<string, FaultSpec>;

export type FaultName = keyof typeof FAULTS | 'unknownShell';

/** The fault for a ShellId the server does not know (text as reported by Windows Server 2012+). */
export function unknownShellFault(shellId: string): FaultSpec {
  const message = `The request for the Windows Remote Shell with ShellId ${escapeXml(shellId)} failed because the shell was not found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. Provide the correct ShellId or create a new shell and retry the operation. `;
  return {
    code: 's:Sender',
    subcode: 'w:InvalidSelectors',
    reason: 'The WS-Management service cannot process the request because the request contained invalid selectors for the resource. ',
    detail: wsmanFault('2150858843', message, 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors'),
  };
}

export function faultBody(spec: FaultSpec, machine: string): string {
  return (
    `<s:Fault><s:Code><s:Value>${spec.code}</s:Value><s:Subcode><s:Value>${spec.subcode}</s:Value></s:Subcode></s:Code>` +
    `<s:Reason><s:Text xml:lang="en-US">${escapeXml(spec.reason)}</s:Text></s:Reason><s:Detail>${spec.detail(machine)}</s:Detail></s:Fault>`
  );
}
