import { describe, expect, it } from 'vitest';
import { compareGenericVersions, compareSemvers } from '../../../../src/domain/versions/index.js';

describe('semver precedence (semver.org §11)', () => {
  const ascending = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '2.0.0', '2.1.0', '2.1.1'];

  it('orders the specification example chain', () => {
    for (let i = 0; i < ascending.length - 1; i++) {
      expect(compareSemvers(ascending[i] as string, ascending[i + 1] as string), `${ascending[i]} < ${ascending[i + 1]}`).toBe(-1);
      expect(compareSemvers(ascending[i + 1] as string, ascending[i] as string)).toBe(1);
    }
  });

  it('ignores build metadata and tolerates a leading v', () => {
    expect(compareSemvers('1.0.0+build.5', '1.0.0+other')).toBe(0);
    expect(compareSemvers('v1.2.3', '1.2.3')).toBe(0);
  });

  it('orders numbers beyond 2^53 by value', () => {
    expect(compareSemvers('1.0.90071992547409930', '1.0.90071992547409929')).toBe(1);
  });

  it('reads the OSV "0.0.0-0" floor as below every release', () => {
    expect(compareSemvers('0.0.0-0', '0.0.0')).toBe(-1);
  });

  it.each(['1.0', '01.0.0', '1.0.0-', '1.0.0-01', 'latest', '1.0.0;id'])('refuses "%s"', (text) => {
    expect(() => compareSemvers(text, '1.0.0')).toThrow(/is not a valid semver version/);
  });
});

describe('generic dotted-number ordering', () => {
  it('compares numerically with a leading V and missing parts as 0', () => {
    expect(compareGenericVersions('V3.1.4', '3.1.10')).toBe(-1);
    expect(compareGenericVersions('2.30', '2.3')).toBe(1);
    expect(compareGenericVersions('7.0', 'V7')).toBe(0);
  });

  it('refuses anything that is not dotted numbers', () => {
    expect(() => compareGenericVersions('03A02', '1')).toThrow(/not a valid generic version/);
  });
});
