/**
 * CSAF mandatory test 6.1.8 "Invalid CVSS": every `cvss_v2` / `cvss_v3` object must be valid against the FIRST CVSS
 * JSON schemas (2.0, 3.0, 3.1). The required fields, enumerations and vector patterns of those schemas, in zod.
 */
import { z } from 'zod';

const V3_METRIC = '(AV:[NALP]|AC:[LH]|PR:[NLH]|UI:[NR]|S:[UC]|[CIA]:[NLH]|E:[XUPFH]|RL:[XOTWU]|RC:[XURC]|[CIA]R:[XLMH]|MAV:[XNALP]|MAC:[XLH]|MPR:[XNLH]|MUI:[XNR]|MS:[XUC]|M[CIA]:[XNLH])';
const V2_METRIC = '(AV:[NAL]|AC:[LMH]|Au:[MSN]|[CIA]:[NPC]|E:(U|POC|F|H|ND)|RL:(OF|TF|W|U|ND)|RC:(UC|UR|C|ND)|CDP:(N|L|LM|MH|H|ND)|TD:(N|L|M|H|ND)|[CIA]R:(L|M|H|ND))';
const score = z.number().min(0).max(10);
const severity = z.enum(['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);

function cvssV3Schema(version: '3.0' | '3.1') {
  const pattern = new RegExp(`^CVSS:${version.replace('.', '[.]')}/(${V3_METRIC}/)*${V3_METRIC}$`);
  return z.object({
    version: z.literal(version),
    vectorString: z.string().regex(pattern, `expected a CVSS ${version} vector such as CVSS:${version}/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`),
    baseScore: score,
    baseSeverity: severity,
    attackVector: z.enum(['NETWORK', 'ADJACENT_NETWORK', 'LOCAL', 'PHYSICAL']).optional(),
    attackComplexity: z.enum(['HIGH', 'LOW']).optional(),
    privilegesRequired: z.enum(['HIGH', 'LOW', 'NONE']).optional(),
    userInteraction: z.enum(['NONE', 'REQUIRED']).optional(),
    scope: z.enum(['UNCHANGED', 'CHANGED']).optional(),
    confidentialityImpact: z.enum(['NONE', 'LOW', 'HIGH']).optional(),
    integrityImpact: z.enum(['NONE', 'LOW', 'HIGH']).optional(),
    availabilityImpact: z.enum(['NONE', 'LOW', 'HIGH']).optional(),
    temporalScore: score.optional(),
    temporalSeverity: severity.optional(),
    environmentalScore: score.optional(),
    environmentalSeverity: severity.optional(),
  });
}

export const cvssV3Schemas = { '3.0': cvssV3Schema('3.0'), '3.1': cvssV3Schema('3.1') } as const;

export const cvssV2Schema = z.object({
  version: z.literal('2.0'),
  vectorString: z.string().regex(new RegExp(`^(${V2_METRIC}/)*${V2_METRIC}$`), 'expected a CVSS 2.0 vector such as AV:N/AC:L/Au:N/C:P/I:P/A:P'),
  baseScore: score,
  temporalScore: score.optional(),
  environmentalScore: score.optional(),
});

export type CvssV3 = z.infer<(typeof cvssV3Schemas)['3.1']> | z.infer<(typeof cvssV3Schemas)['3.0']>;
export type CvssV2 = z.infer<typeof cvssV2Schema>;

/** The schema for a `cvss_v3` value, chosen by its `version`; 3.1 when the version is missing or unknown. */
export function cvssV3SchemaFor(value: unknown) {
  const version = typeof value === 'object' && value !== null ? (value as { version?: unknown }).version : undefined;
  return version === '3.0' ? cvssV3Schemas['3.0'] : cvssV3Schemas['3.1'];
}
