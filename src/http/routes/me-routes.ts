import { z } from 'zod';
import { ROLES, type Role } from '../../config/config.schema';
import { defineRoute, type RouteDef } from '../route';

export const meSchema = z.object({
  name: z.string().describe('The API token\'s configured name (recorded as the actor of writes)'),
  role: z.enum(ROLES),
}).meta({ id: 'Me' });

/** Who the presented API token is: the pages use it to show only the controls the role can use. */
export function meRoutes(): RouteDef[] {
  return [
    defineRoute({
      method: 'get', path: '/api/v1/me', operationId: 'getMe', tags: ['auth'],
      summary: 'The caller\'s name and role, from the API token',
      access: { kind: 'api', role: 'viewer' },
      responses: { 200: { description: 'The caller', schema: meSchema } },
      handler: ({ res, actor }) => {
        res.json({ name: actor, role: res.locals.role as Role });
      },
    }),
  ] as RouteDef[];
}
