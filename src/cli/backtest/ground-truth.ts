import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ValidationError } from '../../errors';

/**
 * Ground truth for a recorded history: which alert firings belong to which real incident.
 *
 * A firing is one alert episode, identified by its fingerprint plus `startsAt` (a service
 * failing twice re-uses fingerprints, so the fingerprint alone is not enough). `kind` names
 * the scenario that produced the incident (`cascade`, `flapping`, ...); figures are reported
 * per kind. `recurrenceOf` links the later of two failures of the same thing to the earlier
 * one: they must stay separate incidents.
 */
export const truthFiringSchema = z.object({
  fingerprint: z.string().min(1),
  startsAt: z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'must be an RFC 3339 time'),
  alertname: z.string().optional(),
  service: z.string().optional(),
  cluster: z.string().optional(),
});

export const truthIncidentSchema = z.object({
  id: z.string().min(1),
  kind: z.string().min(1).default('unknown'),
  title: z.string().optional(),
  recurrenceOf: z.string().nullable().optional(),
  firings: z.array(truthFiringSchema).min(1),
});

export const groundTruthSchema = z.object({
  version: z.literal(1),
  description: z.string().optional(),
  incidents: z.array(truthIncidentSchema),
});

export type TruthFiring = z.infer<typeof truthFiringSchema>;
export type TruthIncident = z.infer<typeof truthIncidentSchema>;
export type GroundTruth = z.infer<typeof groundTruthSchema>;

/** The key a firing is scored by: fingerprint and start time normalised to ISO-8601 UTC ms. */
export const firingKey = (fingerprint: string, startsAt: string): string =>
  `${fingerprint}@${new Date(Date.parse(startsAt)).toISOString()}`;

export function parseGroundTruth(json: unknown, where = 'truth'): GroundTruth {
  const parsed = groundTruthSchema.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(root)', message: issue.message }));
    throw new ValidationError(`${where}: ${details.slice(0, 5).map((detail) => `${detail.path}: ${detail.message}`).join('; ')}`, details);
  }
  const seen = new Map<string, string>();
  for (const incident of parsed.data.incidents) {
    for (const firing of incident.firings) {
      const key = firingKey(firing.fingerprint, firing.startsAt);
      const other = seen.get(key);
      if (other !== undefined) throw new ValidationError(`${where}: firing ${key} is in both ${other} and ${incident.id}`);
      seen.set(key, incident.id);
    }
  }
  return parsed.data;
}

export function readGroundTruthFile(file: string): GroundTruth {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ValidationError(`${file}: ${(err as Error).message}`);
  }
  return parseGroundTruth(json, file);
}
