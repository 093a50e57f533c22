"""Drives Debian's pywinrm 0.3.0 against the WinRM test server; prints one JSON object per run.

Usage: /usr/bin/python3 pywinrm_driver.py URL USER PASSWORD SCENARIO
"""
import base64
import json
import sys

import winrm
from winrm.exceptions import InvalidCredentialsError
from winrm.protocol import Protocol


def b64(data):
    return base64.b64encode(data).decode('ascii')


def run(url, user, password, scenario):
    if scenario == 'run_cmd':
        session = winrm.Session(url, auth=(user, password), transport='basic')
        r = session.run_cmd('echo', ['hi there'])
        return {'stdout': b64(r.std_out), 'stderr': b64(r.std_err), 'status': r.status_code}
    if scenario == 'stderr_rc':
        session = winrm.Session(url, auth=(user, password), transport='plaintext')
        r = session.run_cmd('build.cmd', ['--all'])
        return {'stdout': b64(r.std_out), 'stderr': b64(r.std_err), 'status': r.status_code}
    if scenario in ('silence', 'cp437', 'cp65001', 'powershell'):
        p = Protocol(url, transport='plaintext', username=user, password=password,
                     operation_timeout_sec=1, read_timeout_sec=3)
        codepage = 437 if scenario == 'cp437' else 65001
        shell = p.open_shell(codepage=codepage)
        if scenario == 'powershell':
            script = base64.b64encode('Get-HotFix | Select -First 1'.encode('utf_16_le')).decode('ascii')
            command = p.run_command(shell, 'powershell', ['-encodedcommand', script])
        else:
            command = p.run_command(shell, {'silence': 'install-updates', 'cp437': 'type cafe.txt',
                                            'cp65001': 'type cafe.txt'}[scenario])
        out, err, rc = p.get_command_output(shell, command)
        p.cleanup_command(shell, command)  # Signal terminate; pywinrm asserts RelatesTo
        p.close_shell(shell)               # Delete; pywinrm asserts RelatesTo
        return {'stdout': b64(out), 'stderr': b64(err), 'status': rc}
    if scenario == 'ntlm':
        session = winrm.Session(url, auth=(user, password), transport='ntlm', message_encryption='never')
        r = session.run_cmd('echo', ['over ntlm'])
        return {'stdout': b64(r.std_out), 'stderr': b64(r.std_err), 'status': r.status_code}
    if scenario in ('bad_basic', 'bad_ntlm'):
        transport = 'basic' if scenario == 'bad_basic' else 'ntlm'
        try:
            winrm.Session(url, auth=(user, password), transport=transport, message_encryption='never').run_cmd('echo', ['x'])
        except InvalidCredentialsError as error:
            return {'error': 'InvalidCredentialsError', 'message': str(error)}
        return {'error': None}
    raise SystemExit('unknown scenario ' + scenario)


if __name__ == '__main__':
    print(json.dumps(run(*sys.argv[1:5])))
