import { describe, expect, it } from 'vitest';
import { OutputCapture } from '../../../src/execution/output-capture.js';
import { decodeClixml, encodePowerShell } from '../../../src/execution/winrm/powershell.js';

describe('WinRM output decoding', () => {
  it('decodes UTF-8 characters split at every byte boundary, and emits whole lines', () => {
    const text = 'naïve ☃ 𝄞\r\nzwei\n';
    const lines: string[] = [];
    const capture = new OutputCapture(1_000, (line) => lines.push(line));
    for (const byte of Buffer.from(text, 'utf8')) capture.push(Buffer.from([byte]));
    capture.end();
    expect(capture.text).toBe(text);
    expect(lines).toEqual(['naïve ☃ 𝄞', 'zwei']);
  });

  it('cuts at the cap without leaving half a character and counts every byte it dropped', () => {
    const capture = new OutputCapture(5);
    capture.push(Buffer.from('abcd€xyz', 'utf8')); // € is 3 bytes: the cap falls inside it
    expect(capture.text).toBe('abcd');
    expect(capture.truncatedBytes).toBe(Buffer.byteLength('€xyz'));
  });

  it('encodes PowerShell as base64 UTF-16LE with progress output silenced', () => {
    const decoded = Buffer.from(encodePowerShell('Write-Output "ü"'), 'base64').toString('utf16le');
    expect(decoded).toBe(`$ProgressPreference = 'SilentlyContinue'\nWrite-Output "ü"`);
  });

  it('turns CLIXML stderr into its error text', () => {
    const clixml = '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">Write-Error "Error" : Error_x000D__x000A_</S><S S="Error">  + &lt;x&gt;_x000D__x000A_</S></Objs>';
    expect(decodeClixml(clixml)).toBe('Write-Error "Error" : Error\r\n  + <x>\r\n');
    expect(decodeClixml('plain error\r\n')).toBe('plain error\r\n');
  });
});
