import { z } from 'zod';
import { REPEAT_DEFINITION } from '../../domain/history/repeat-rate';
import { MEASURE_DEFINITIONS } from '../../domain/incident-metrics';
import { ValidationError } from '../../errors';
import type { StatsService } from '../../services/stats-service';
import { defineRoute, type RouteDef } from '../route';
import { errorResponse } from '../route-responses';

export interface StatsRouteDeps {
  stats: StatsService;
  clock: () => Date;
}

const ms = (what: string) => z.number().nullable().describe(`${what} in milliseconds; null when no incident in the group has it`);
const groupSchema = z.object({
  count: z.number().int().describe('Incidents that started in the window'),
  missedByMonitoringCount: z.number().int().describe('Of those, how many were declared by hand because no alert reported them (monitoring missed them)'),
  detectedCount: z.number().int().describe('Of those, how many have a known time to detect (a recorded impact start earlier than the first alert)'),
  acknowledgedCount: z.number().int().describe('Of those, how many had a page acknowledged'),
  mitigatedCount: z.number().int().describe('Of those, how many have a human-set mitigation time'),
  resolvedCount: z.number().int().describe('Of those, how many are resolved'),
  mttdMs: ms('Mean time to detect (recorded impact start to first alert; only incidents whose impact start was recorded before their first alert)'),
  mttaMs: ms('Mean time to acknowledge (first alert to first page acknowledgement)'),
  mttmMs: ms('Mean time to mitigate (impact start to mitigation)'),
  mttrMs: ms('Mean time to resolve (impact start to resolution)'),
});

export const incidentStatsSchema = z.object({
  since: z.string().describe('Window start (inclusive), UTC'),
  until: z.string().describe('Window end (exclusive), UTC'),
  truncated: z.boolean().describe('True when the window held more incidents than one request measures; narrow it'),
  overall: groupSchema,
  byService: z.array(groupSchema.extend({ service: z.string() })).describe('An incident on two services counts in both'),
  bySeverity: z.array(groupSchema.extend({ severity: z.string().describe('`unknown` when the incident has none') })),
  repeat: z.object({
    windowDays: z.number().int().describe('How far back a similar earlier incident counts (90 days)'),
    count: z.number().int().describe('Incidents that started in the window (as `overall.count`)'),
    repeatedCount: z.number().int().describe('Of those, how many had a similar earlier incident within `windowDays` before they started'),
    rate: z.number().nullable().describe('`repeatedCount / count`, 0..1; null when no incident started in the window'),
  }).describe('Repeat rate: how often a failure came back (see `definitions.repeat`)'),
  definitions: z.object({ mttd: z.string(), mtta: z.string(), mttm: z.string(), mttr: z.string(), missedByMonitoring: z.string(), repeat: z.string() })
    .describe('What each mean measures, from and to which moment, and when it is unknown (null)'),
}).meta({ id: 'IncidentStats' });

const statsQuerySchema = z.object({
  since: z.iso.datetime({ offset: true }).optional().describe('Incidents that started at or after this time; default: 30 days before `until`.'),
  until: z.iso.datetime({ offset: true }).optional().describe('Incidents that started before this time; default: now.'),
});

const DEFAULT_WINDOW_MS = 30 * 86_400_000;

export function statsRoutes(deps: StatsRouteDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/stats', operationId: 'getIncidentStats', tags: ['stats'],
      summary: 'Incident counts and mean times to detect, acknowledge, mitigate and resolve, overall, per service and per severity',
      access: { kind: 'api', role: 'viewer' },
      query: statsQuerySchema,
      responses: {
        200: { description: 'Statistics of the incidents that started in the window', schema: incidentStatsSchema },
        400: errorResponse('Invalid window'),
      },
      handler: async ({ res, query }) => {
        const until = query.until ? new Date(query.until) : new Date(deps.clock().getTime() + 1);
        const since = query.since ? new Date(query.since) : new Date(until.getTime() - DEFAULT_WINDOW_MS);
        if (since.getTime() >= until.getTime()) {
          throw new ValidationError('invalid query', [{ path: 'query.since', message: '`since` must be before `until`' }]);
        }
        res.json({ ...(await deps.stats.stats(since.toISOString(), until.toISOString())), definitions: { ...MEASURE_DEFINITIONS, repeat: REPEAT_DEFINITION } });
      },
    }),
  ] as RouteDef[];
}
