/**
 * OSV records in, normalised advisories out. Package names and versions are checked against the strict patterns
 * because they become package-manager arguments; a record that fails is refused whole.
 */
import { isSafePackageName, isSafePackageVersion, SAFE_PACKAGE_NAME_HINT, SAFE_PACKAGE_VERSION_HINT } from '../identifiers/package-safety.js';
import { parsePurl } from '../identifiers/purl.js';
import type { DocumentLimits } from '../limits.js';
import { cvss3BaseScore, cvssSeverity } from '../cvss-score.js';
import type { Advisory, CvssScore, Finding, OsvRange, Product } from '../model.js';
import { AdvisoryRefusedError, type AdvisoryProblem, jsonPath } from '../problems.js';
import { checkedValue, parseJsonWithinLimits } from '../safe-json.js';
import { zodProblems } from '../zod-problems.js';
import { osvRecordSchema, type OsvRecord } from './schema.js';

export interface OsvParseOptions {
  source?: string;
  limits?: Partial<DocumentLimits>;
}

const CVE = /^CVE-\d{4}-\d{4,}$/;

function unsafeValues(record: OsvRecord): AdvisoryProblem[] {
  const problems: AdvisoryProblem[] = [];
  record.affected?.forEach((affected, a) => {
    if (affected.package !== undefined && !isSafePackageName(affected.package.name)) {
      problems.push({ path: jsonPath(['affected', a, 'package', 'name']), message: `the package name "${affected.package.name}" is refused: it may only contain ${SAFE_PACKAGE_NAME_HINT}` });
    }
    affected.ranges?.forEach((range, r) =>
      range.events.forEach((event, e) => {
        const value = Object.values(event)[0] as string;
        if (value !== '*' && !isSafePackageVersion(value)) {
          problems.push({ path: jsonPath(['affected', a, 'ranges', r, 'events', e]), message: `the version "${value}" is refused: it may only contain ${SAFE_PACKAGE_VERSION_HINT}` });
        }
      }),
    );
    affected.versions?.forEach((version, v) => {
      if (!isSafePackageVersion(version)) problems.push({ path: jsonPath(['affected', a, 'versions', v]), message: `the version "${version}" is refused: it may only contain ${SAFE_PACKAGE_VERSION_HINT}` });
    });
  });
  return problems;
}

/** `DLA-3008-1` → `osv:DLA`: the database an OSV id belongs to is its prefix; ids are unique within osv.dev anyway. */
function publisherOf(id: string): string {
  const prefix = /^([A-Za-z]+)-/.exec(id)?.[1];
  return `osv:${prefix ?? 'unknown'}`;
}

function productOf(affected: NonNullable<OsvRecord['affected']>[number], index: number, recordId: string): Product {
  const pkg = affected.package;
  const repo = affected.ranges?.find((r) => r.type === 'GIT')?.repo;
  const name = pkg?.name ?? repo ?? `${recordId}#${index}`;
  return {
    productId: pkg === undefined ? name : `${pkg.ecosystem}/${pkg.name}`,
    name,
    path: [],
    cpe: undefined,
    purl: pkg?.purl === undefined ? undefined : parsePurl(pkg.purl),
    nevra: undefined,
    version: undefined,
    range: undefined,
    modelNumbers: [],
    relationship: undefined,
  };
}

export function normaliseOsv(record: OsvRecord): Advisory {
  const cves = [...new Set([record.id, ...(record.aliases ?? []), ...(record.upstream ?? [])].filter((id) => CVE.test(id)))];
  const findings: Finding[] = (record.affected ?? []).map((affected, index) => ({
    vulnerabilityId: record.id,
    status: 'affected',
    statusDetail: 'affected',
    product: productOf(affected, index, record.id),
    remediations: [],
    justifications: [],
    ecosystem: affected.package?.ecosystem ?? (affected.ranges?.some((r) => r.type === 'GIT') ? 'GIT' : undefined),
    ranges: (affected.ranges ?? []).map((r): OsvRange => ({ type: r.type, repo: r.repo, events: r.events as OsvRange['events'] })),
    versions: affected.versions ?? [],
  }));
  const severityText = record.database_specific?.['severity'];
  return {
    format: 'osv',
    identity: { publisher: publisherOf(record.id), trackingId: record.id },
    revision: { version: record.modified, releasedAt: record.modified, status: record.withdrawn === undefined ? 'final' : 'withdrawn' },
    title: record.summary ?? record.id,
    severityText: typeof severityText === 'string' ? severityText : undefined,
    tlp: undefined,
    cves,
    aliases: record.aliases ?? [],
    vulnerabilities: [
      {
        id: record.id,
        cve: cves[0],
        otherIds: [...(record.aliases ?? []), ...(record.upstream ?? [])].filter((id) => id !== cves[0]),
        title: record.summary,
        cvss: osvCvssScores(record),
        threats: [],
      },
    ],
    findings,
    warnings: [],
  };
}

/** Vector strings of the record's CVSS severities (OSV gives vectors, not numbers). */
export function osvCvssVectors(record: OsvRecord): { type: string; vector: string }[] {
  const all = [...(record.severity ?? []), ...(record.affected ?? []).flatMap((a) => a.severity ?? [])];
  return all.filter((s) => s.type !== 'Ubuntu').map((s) => ({ type: s.type, vector: s.score }));
}

/** CVSS 3.x scores computed from the record's vectors; CVSS 2 and 4 vectors are not scored here. */
function osvCvssScores(record: OsvRecord): CvssScore[] {
  return osvCvssVectors(record).flatMap(({ type, vector }) => {
    const baseScore = type === 'CVSS_V3' ? cvss3BaseScore(vector) : undefined;
    if (baseScore === undefined) return [];
    return [{ version: vector.slice('CVSS:'.length, 'CVSS:3.x'.length), vectorString: vector, baseScore, baseSeverity: cvssSeverity(baseScore), productIds: [] }];
  });
}

export function parseOsv(input: Uint8Array | string | object, options: OsvParseOptions = {}): Advisory {
  const source = options.source ?? 'OSV record';
  const json = input instanceof Uint8Array || typeof input === 'string' ? parseJsonWithinLimits(input, source, options.limits) : checkedValue(input, source, options.limits);
  const parsed = osvRecordSchema.safeParse(json);
  if (!parsed.success) throw new AdvisoryRefusedError(source, zodProblems(parsed.error, json));
  const problems = unsafeValues(parsed.data);
  if (problems.length > 0) throw new AdvisoryRefusedError(source, problems);
  return normaliseOsv(parsed.data);
}
