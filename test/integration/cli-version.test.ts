import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = path.resolve(process.cwd(), 'bin/redback.js');

async function redback(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('redback version compare (the real CLI as a subprocess)', () => {
  it('prints -1, 0 and 1 with dpkg, rpm and semver rules', async () => {
    const results = await Promise.all([
      redback('version', 'compare', 'deb', '3.0.11-1~deb12u2', '3.0.11-1'),
      redback('version', 'compare', 'rpm', '1:1.8.11-1.mga9', '0:1.9.1-2.mga9'),
      redback('version', 'compare', 'semver', '1.0.0+build.1', '1.0.0'),
    ]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(results.map((r) => r.stdout)).toEqual(['-1\n', '1\n', '0\n']);
  });

  it('exits 2 and names the version and the reason when a version is invalid', async () => {
    const result = await redback('version', 'compare', 'deb', '1.0;reboot', '1.0');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('"1.0;reboot" is not a valid deb version');
  });

  it('exits 2 with the accepted schemes for an unknown scheme, and 2 for a missing argument', async () => {
    const [unknown, missing] = await Promise.all([redback('version', 'compare', 'apk', '1', '2'), redback('version', 'compare', 'deb', '1')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('expected deb, rpm or semver, got "apk"');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'b'");
  });
});
