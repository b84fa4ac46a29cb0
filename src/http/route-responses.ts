import type { IncidentDetail } from '../domain/incident';
import { NotFoundError } from '../errors';
import type { Store } from '../store/store';
import { errorSchema } from './api-schemas';
import type { ResponseSpec } from './route';

/**
 * Error answers that several routes declare. 400 (request validation) and 401/403 (API token)
 * are not here: `openapi.ts` documents them on every route that can give them.
 */

export const errorResponse = (description: string): ResponseSpec => ({ description, schema: errorSchema });

export const noIncident = { 404: errorResponse('No such incident') };

/** The incident with its alerts and events; NotFoundError (the 404 of `noIncident`) when unknown. */
export async function loadIncident(store: Pick<Store, 'getIncident'>, id: string): Promise<IncidentDetail> {
  const detail = await store.getIncident(id);
  if (!detail) throw new NotFoundError(`no incident "${id}"`);
  return detail;
}
