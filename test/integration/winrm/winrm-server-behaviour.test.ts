import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startWinrmTestServer, type WinrmTestServer } from '../../support/winrm-server/index.js';
import { findText } from './xml-tree.js';

/** The parts of the test server's Windows behaviour the recordings do not cover, checked on the wire. */
const NS = {
  s: 'http://www.w3.org/2003/05/soap-envelope',
  a: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  w: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  rsp: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
};

function envelope(action: string, body: string, shellId?: string): string {
  const selector = shellId === undefined ? '' : `<w:SelectorSet><w:Selector Name="ShellId">${shellId}</w:Selector></w:SelectorSet>`;
  return (
    `<s:Envelope xmlns:s="${NS.s}" xmlns:a="${NS.a}" xmlns:w="${NS.w}" xmlns:rsp="${NS.rsp}"><s:Header>` +
    `<a:Action>${action}</a:Action><a:MessageID>uuid:${crypto.randomUUID()}</a:MessageID>` +
    `<w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI><w:OperationTimeout>PT1S</w:OperationTimeout>` +
    `${selector}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}
const CREATE = envelope('http://schemas.xmlsoap.org/ws/2004/09/transfer/Create', '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>');

async function post(server: WinrmTestServer, body: string, authorization?: string): Promise<{ status: number; body: string; wwwAuthenticate: string | undefined }> {
  return await new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/soap+xml;charset=UTF-8' };
    headers.Authorization = authorization ?? `Basic ${Buffer.from('vagrant:vagrant').toString('base64')}`;
    if (authorization === '') delete headers.Authorization;
    const req = request(server.url, { method: 'POST', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8'), wwwAuthenticate: res.headers['www-authenticate'] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let server: WinrmTestServer;
afterEach(async () => server.close());

describe('test server: Windows behaviour beyond the recordings', () => {
  it('answers a request without credentials with 401 listing Negotiate and Basic realm="WSMAN"', async () => {
    server = await startWinrmTestServer();
    const answer = await post(server, CREATE, '');
    expect(answer.status).toBe(401);
    expect(answer.wwwAuthenticate).toBe('Negotiate, Basic realm="WSMAN"');
  });

  it('answers a Negotiate type 1 message with a 401 carrying an NTLM challenge', async () => {
    server = await startWinrmTestServer();
    const { negotiateMessage } = await import('../../../src/execution/winrm/ntlm/index.js');
    const answer = await post(server, '', `Negotiate ${negotiateMessage().toString('base64')}`);
    expect(answer.status).toBe(401);
    const token = Buffer.from((answer.wwwAuthenticate ?? '').replace(/^Negotiate /, ''), 'base64');
    expect(token.subarray(0, 8).toString('latin1')).toBe('NTLMSSP\0');
    expect(token.readUInt32LE(8)).toBe(2);
  });

  it('refuses the 31st shell of a user with the QuotaLimit fault', async () => {
    server = await startWinrmTestServer();
    for (let shell = 0; shell < 30; shell += 1) expect((await post(server, CREATE)).status).toBe(200);
    const answer = await post(server, CREATE);
    expect(answer.status).toBe(500);
    expect(answer.body).toContain('w:QuotaLimit');
    expect(findText(answer.body, 'error_Code')).toBe('2150859173');
  });

  it('refuses a command line longer than cmd.exe accepts with fault 2147942606', async () => {
    server = await startWinrmTestServer();
    const shellId = findText((await post(server, CREATE)).body, 'ShellId') ?? '';
    const command = envelope(`${NS.rsp}/Command`, `<rsp:CommandLine><rsp:Command>echo ${'x'.repeat(8200)}</rsp:Command></rsp:CommandLine>`, shellId);
    const answer = await post(server, command);
    expect(answer.status).toBe(500);
    expect(answer.body).toContain('Code="2147942606"');
  });

  it('answers operations on an unknown shell with InvalidSelectors 2150858843', async () => {
    server = await startWinrmTestServer();
    const answer = await post(server, envelope('http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete', '', 'DEADBEEF-0000-0000-0000-000000000000'));
    expect(answer.status).toBe(500);
    expect(answer.body).toContain('w:InvalidSelectors');
    expect(answer.body).toContain('Code="2150858843"');
    expect(answer.body).toContain('ShellId DEADBEEF-0000-0000-0000-000000000000 failed because the shell was not found');
  });
});
