import { z } from 'zod';
import type { OpenAPIV3_1 } from 'openapi-types';
import { errorSchema } from './api-schemas';
import { openApiPath, type ResponseSpec, type RouteDef } from './route';

type Schema = OpenAPIV3_1.SchemaObject;

/**
 * Builds the OpenAPI 3.1 document from the declared routes, converting the same zod schemas
 * that validate requests. Named schemas (`.meta({ id })`) go to components; request schemas
 * use zod's input view (defaults optional), responses its output view.
 */
export function buildOpenApi(routes: readonly RouteDef[], info: { version: string }): OpenAPIV3_1.Document {
  const components: Record<string, Schema> = {};
  const convert = (schema: z.ZodType, io: 'input' | 'output'): Schema => {
    const json = z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
      override: (ctx) => {
        const def = (ctx.zodSchema as { _zod?: { def?: { type?: string } } })._zod?.def;
        if (def?.type === 'date') ctx.jsonSchema.type = 'string';
      },
    }) as Record<string, unknown>;
    return hoist(json, components);
  };
  const paths: OpenAPIV3_1.PathsObject = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const parameters: OpenAPIV3_1.ParameterObject[] = [];
    for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
      if (!schema) continue;
      const obj = convert(schema, 'input');
      const required = new Set((obj.required as string[] | undefined) ?? []);
      for (const [name, propertySchema] of Object.entries((obj.properties ?? {}) as Record<string, Schema>)) {
        parameters.push({ name, in: where, required: where === 'path' || required.has(name), schema: propertySchema as never, description: propertySchema.description });
      }
    }
    // Express params not declared in a schema still need documenting.
    for (const match of route.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)) {
      if (!parameters.some((parameter) => parameter.in === 'path' && parameter.name === match[1])) parameters.push({ name: match[1]!, in: 'path', required: true, schema: { type: 'string' } });
    }
    const op: OpenAPIV3_1.OperationObject = {
      operationId: route.operationId,
      summary: route.summary,
      tags: route.tags,
      parameters: parameters.length ? parameters : undefined,
      security: route.access.kind === 'api' ? [{ apiToken: [] }] : route.access.kind === 'webhook' ? [{ webhookBearer: [] }, { webhookBasic: [] }, { pagerdutySignature: [] }, { githubSignature: [] }] : [],
      'x-debrief-role': route.access.kind === 'api' ? route.access.role : undefined,
      responses: Object.fromEntries(Object.entries({ ...implicitResponses(route), ...route.responses }).map(([code, spec]) => [code, {
        description: spec.description,
        ...(spec.schema ? { content: { [spec.contentType ?? 'application/json']: { schema: convert(spec.schema, 'output') } } } : {}),
      }])),
    } as OpenAPIV3_1.OperationObject;
    const bodySchema = route.body ?? route.rawBodyDoc?.schema;
    if (bodySchema) {
      op.requestBody = { required: true, description: route.rawBodyDoc?.description, content: { 'application/json': { schema: convert(bodySchema, 'input') } } };
    }
    paths[path] = { ...(paths[path] ?? {}), [route.method]: op };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Debrief', version: info.version, description: 'Turns monitoring alerts into incidents and pre-filled post-mortem reports.' },
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', description: 'API token from DEBRIEF_API_TOKENS' },
        webhookBearer: { type: 'http', scheme: 'bearer', description: 'Per-instance webhook token (Alertmanager http_config.authorization)' },
        webhookBasic: { type: 'http', scheme: 'basic', description: 'Per-instance webhook basic auth' },
        pagerdutySignature: { type: 'apiKey', in: 'header', name: 'X-PagerDuty-Signature', description: 'HMAC-SHA256 of the raw body, v1=<hex>' },
        githubSignature: { type: 'apiKey', in: 'header', name: 'X-Hub-Signature-256', description: 'GitHub webhooks to a `changes` instance: HMAC-SHA256 of the raw body, sha256=<hex>' },
      },
    },
  };
}

/**
 * Answers every route of a kind can give, whatever its declaration says: the token check of
 * API routes (401/403) and request validation (400) run before any handler, so a route that
 * forgot to list them would document less than it does.
 */
function implicitResponses(route: RouteDef): Record<number, ResponseSpec> {
  const out: Record<number, ResponseSpec> = {};
  if (route.params || route.query || route.body) out[400] = { description: 'Invalid request; details name every failing field', schema: errorSchema };
  if (route.access.kind === 'api') {
    out[401] = { description: 'No or unknown API token', schema: errorSchema };
    out[403] = { description: 'The token\'s role may not do this', schema: errorSchema };
  }
  return out;
}

/** Moves `$defs` entries into components and rewrites `$ref`s to point there. */
function hoist(json: Record<string, unknown>, components: Record<string, Schema>): Schema {
  const defs = (json.$defs ?? {}) as Record<string, Record<string, unknown>>;
  delete json.$defs;
  delete json.$schema;
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')) out[key] = `#/components/schemas/${value.slice('#/$defs/'.length)}`;
        else if (key !== '$id' && key !== '$schema') out[key] = rewrite(value);
      }
      return out;
    }
    return node;
  };
  for (const [name, def] of Object.entries(defs)) {
    if (!components[name]) components[name] = rewrite(def) as Schema;
  }
  const root = rewrite(json) as Schema & { id?: string };
  // A schema with its own id comes back as a top-level definition: reference it.
  if (typeof root.id === 'string') {
    const { id, ...rest } = root;
    if (!components[id]) components[id] = rest as Schema;
    return { $ref: `#/components/schemas/${id}` } as unknown as Schema;
  }
  return root;
}
