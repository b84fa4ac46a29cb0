import type { z } from 'zod';
import type { OverdueActionItems } from '../../services/overdue-action-items';
import type { ReportService } from '../../services/report-service';
import type { TrackerIssues } from '../../services/tracker-issues';
import type { TrackerKind } from '../../domain/trackers/tracker';
import { idParamsSchema } from '../api-schemas';
import {
  actionItemCreateSchema, actionItemPageSchema, actionItemPatchSchema, actionItemQuerySchema, actionItemSchema, itemParamsSchema, overdueListingSchema,
  trackerIssueCreateSchema, trackerListSchema,
} from '../report-schemas';
import { defineRoute, type RouteDef } from '../route';
import { UnprocessableError } from '../../errors';
import { errorResponse, noIncident } from '../route-responses';

export interface ActionItemRouteDeps {
  reports: ReportService;
  /** "Create in tracker"; absent: the route answers that no tracker is configured. */
  trackerIssues?: Pick<TrackerIssues, 'createIssue' | 'configured'>;
  overdue?: Pick<OverdueActionItems, 'listing'>;
}

const noItem = { 404: errorResponse('No such action item') };
const TRACKER_NAMES: Record<TrackerKind, string> = { github: 'GitHub', jira: 'Jira' };

/** Prevention action items: per incident, and across incidents (overdue work). */
export function actionItemRoutes(deps: ActionItemRouteDeps): RouteDef[] {
  const { reports } = deps;
  return [
    defineRoute({
      method: 'get', path: '/api/v1/action-items/overdue', operationId: 'listOverdueActionItems', tags: ['action items'],
      summary: 'Overdue action items counted per team (the catalog\'s owner of the incident\'s services) and per owner',
      access: { kind: 'api', role: 'viewer' },
      responses: { 200: { description: 'Overdue counts', schema: overdueListingSchema } },
      handler: async ({ res }) => {
        if (!deps.overdue) throw new UnprocessableError('the overdue listing is not available');
        res.json(await deps.overdue.listing());
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/trackers', operationId: 'listTrackers', tags: ['action items'],
      summary: 'The trackers action items can be created in (configured ones only; empty without any)',
      access: { kind: 'api', role: 'viewer' },
      responses: { 200: { description: 'Configured trackers', schema: trackerListSchema } },
      handler: ({ res }) => {
        res.json({ items: (deps.trackerIssues?.configured ?? []).map((kind) => ({ kind, name: TRACKER_NAMES[kind] })) });
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/action-items/:itemId/tracker-issue', operationId: 'createTrackerIssue', tags: ['action items'],
      summary: 'Create the action item\'s issue in a tracker (idempotent: an item with an issue gets it back, a retry never makes a second one)',
      access: { kind: 'api', role: 'editor' },
      params: itemParamsSchema,
      body: trackerIssueCreateSchema,
      responses: {
        201: { description: 'The issue was made (or found, made by an earlier attempt) and linked', schema: actionItemSchema },
        200: { description: 'The item already had its issue', schema: actionItemSchema },
        ...noItem,
        409: errorResponse('Another request (perhaps on another replica) is making this item\'s issue right now; ask again in a moment'),
        422: errorResponse('Unknown or unconfigured tracker (`details` names `tracker`), or no `status.publicUrl` to link the post-mortem'),
        503: errorResponse('The tracker failed or refused; retry later (a retry never makes a second issue)'),
      },
      handler: async ({ res, params, body, actor }) => {
        const { tracker } = body as z.infer<typeof trackerIssueCreateSchema>;
        if (!deps.trackerIssues) throw new UnprocessableError(`tracker "${tracker}" is not configured`, [{ path: 'tracker', message: 'no tracker is configured (trackers.github)' }]);
        const result = await deps.trackerIssues.createIssue((params as z.infer<typeof itemParamsSchema>).itemId, tracker, actor!);
        res.status(result.created ? 201 : 200).json(result.item);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/incidents/:id/action-items', operationId: 'listIncidentActionItems', tags: ['action items'],
      summary: 'Action items of one incident, oldest first',
      access: { kind: 'api', role: 'viewer' },
      params: idParamsSchema,
      responses: { 200: { description: 'Action items', schema: actionItemPageSchema }, ...noIncident },
      handler: async ({ res, params }) => {
        res.json({ items: await reports.listIncidentActionItems(params.id), nextCursor: null });
      },
    }),
    defineRoute({
      method: 'post', path: '/api/v1/incidents/:id/action-items', operationId: 'createActionItem', tags: ['action items'],
      summary: 'Add a prevention action item (title, owner, due date, status, tracker link)',
      access: { kind: 'api', role: 'editor' },
      params: idParamsSchema,
      body: actionItemCreateSchema,
      responses: { 201: { description: 'Created', schema: actionItemSchema }, ...noIncident },
      handler: async ({ res, params, body, actor }) => {
        const item = await reports.createActionItem(params.id, body as z.infer<typeof actionItemCreateSchema>, actor!);
        res.status(201).setHeader('Location', `/api/v1/action-items/${item.id}`).json(item);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/action-items', operationId: 'listActionItems', tags: ['action items'],
      summary: 'Action items across incidents, by due date; `status=open&overdue=true` lists overdue work',
      access: { kind: 'api', role: 'viewer' },
      query: actionItemQuerySchema,
      responses: { 200: { description: 'One page of action items', schema: actionItemPageSchema } },
      handler: async ({ res, query }) => {
        res.json(await reports.listActionItems(query as z.infer<typeof actionItemQuerySchema>));
      },
    }),
    defineRoute({
      method: 'get', path: '/api/v1/action-items/:itemId', operationId: 'getActionItem', tags: ['action items'],
      summary: 'One action item',
      access: { kind: 'api', role: 'viewer' },
      params: itemParamsSchema,
      responses: { 200: { description: 'The action item', schema: actionItemSchema }, ...noItem },
      handler: async ({ res, params }) => {
        res.json(await reports.getActionItem((params as z.infer<typeof itemParamsSchema>).itemId));
      },
    }),
    defineRoute({
      method: 'patch', path: '/api/v1/action-items/:itemId', operationId: 'updateActionItem', tags: ['action items'],
      summary: 'Change an action item (merge semantics: absent unchanged, null clears)',
      access: { kind: 'api', role: 'editor' },
      params: itemParamsSchema,
      body: actionItemPatchSchema,
      responses: { 200: { description: 'The action item', schema: actionItemSchema }, ...noItem },
      handler: async ({ res, params, body, actor }) => {
        res.json(await reports.updateActionItem((params as z.infer<typeof itemParamsSchema>).itemId, body as z.infer<typeof actionItemPatchSchema>, actor!));
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/v1/action-items/:itemId', operationId: 'deleteActionItem', tags: ['action items'],
      summary: 'Delete an action item (recorded in the report\'s audit trail)',
      access: { kind: 'api', role: 'editor' },
      params: itemParamsSchema,
      responses: { 204: { description: 'Deleted' }, ...noItem },
      handler: async ({ res, params, actor }) => {
        await reports.deleteActionItem((params as z.infer<typeof itemParamsSchema>).itemId, actor!);
        res.status(204).end();
      },
    }),
  ] as RouteDef[];
}
