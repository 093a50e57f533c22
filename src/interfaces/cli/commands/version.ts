import { type Command, InvalidArgumentError } from 'commander';
import { compareDebianVersions, compareRpmVersions, compareSemvers, VersionSyntaxError } from '../../../domain/versions/index.js';

const COMPARE = {
  deb: compareDebianVersions,
  rpm: compareRpmVersions,
  semver: compareSemvers,
} as const;

type Scheme = keyof typeof COMPARE;

function parseScheme(value: string): Scheme {
  if (!Object.hasOwn(COMPARE, value)) throw new InvalidArgumentError(`expected deb, rpm or semver, got "${value}".`);
  return value as Scheme;
}

/** `redback version compare deb|rpm|semver A B`: for an engineer who doubts a match, the same ordering the matcher uses. */
export function registerVersionCommand(program: Command): void {
  const version = program.command('version').description('Version ordering tools');
  version
    .command('compare')
    .description('Print -1, 0 or 1 as A is lower than, equal to or higher than B (dpkg, rpm or semver rules)')
    .argument('<scheme>', 'deb (dpkg rules), rpm (epoch:version-release, rpmvercmp) or semver', parseScheme)
    .argument('<a>', 'first version')
    .argument('<b>', 'second version')
    .action((scheme: Scheme, a: string, b: string) => {
      try {
        process.stdout.write(`${COMPARE[scheme](a, b)}\n`);
      } catch (error) {
        if (!(error instanceof VersionSyntaxError)) throw error;
        process.stderr.write(`redback version compare: ${error.message}. Check the version as the package manager prints it.\n`);
        process.exitCode = 2;
      }
    });
}
