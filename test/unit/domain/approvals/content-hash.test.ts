import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash, type BatchContent } from '../../../../src/domain/approvals/index.js';

const content: BatchContent = {
  hosts: [
    { hostId: 'h-02', scanned: true, scannedAt: '2025-11-20T00:00:00Z', packages: [{ name: 'openssl', arch: 'amd64', from: '3.0.1', to: '3.0.2' }] },
    { hostId: 'h-01', scanned: true, scannedAt: '2025-11-20T00:00:00Z', packages: [{ name: 'zlib', arch: 'amd64', from: '1.2', to: '1.3' }, { name: 'curl', arch: 'amd64', from: '8.0', to: '8.1' }] },
  ],
  playbooks: ['security-patch'],
  params: { reboot: 'if-needed', exclude: ['kernel*'] },
};

describe('batch content hash', () => {
  it('writes canonical JSON with sorted keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('is a sha256 hex digest that does not depend on the order of hosts, packages or keys', () => {
    const reordered: BatchContent = {
      params: { exclude: ['kernel*'], reboot: 'if-needed' },
      playbooks: ['security-patch'],
      hosts: [
        { ...content.hosts[1]!, packages: [...content.hosts[1]!.packages].reverse() },
        content.hosts[0]!,
      ],
    };
    expect(contentHash(content)).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash(reordered)).toBe(contentHash(content));
  });

  it('ignores the scan time but changes with any target version, host, playbook or parameter', () => {
    const hash = contentHash(content);
    expect(contentHash({ ...content, hosts: content.hosts.map((h) => ({ ...h, scannedAt: '2025-11-21T00:00:00Z' })) })).toBe(hash);
    expect(contentHash({ ...content, hosts: [content.hosts[0]!, { ...content.hosts[1]!, packages: [{ name: 'zlib', arch: 'amd64', from: '1.2', to: '1.4' }, content.hosts[1]!.packages[1]!] }] })).not.toBe(hash);
    expect(contentHash({ ...content, hosts: [content.hosts[0]!] })).not.toBe(hash);
    expect(contentHash({ ...content, playbooks: ['update'] })).not.toBe(hash);
    expect(contentHash({ ...content, params: { reboot: 'never', exclude: ['kernel*'] } })).not.toBe(hash);
  });
});
