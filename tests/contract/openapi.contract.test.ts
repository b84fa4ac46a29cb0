import type { OpenAPIV3_1 } from 'openapi-types';
import { buildOpenApi } from '../../src/http/openapi';
import {
  compareRoutesWithOpenApi, documentedOperations, registeredRoutes, toOpenApiPath, unresolvedRefs,
} from '../support/express-routes';
import { startTestApp, type TestApp } from '../support/test-app';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function operations(doc: OpenAPIV3_1.Document): Array<{ method: string; path: string; op: OpenAPIV3_1.OperationObject }> {
  const out: Array<{ method: string; path: string; op: OpenAPIV3_1.OperationObject }> = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (op) out.push({ method, path, op });
    }
  }
  return out;
}

describe('OpenAPI contract', () => {
  let app: TestApp;
  let doc: OpenAPIV3_1.Document;
  beforeAll(async () => {
    app = await startTestApp();
    const res = await app.anon.get('/openapi.json');
    expect(res.status).toBe(200);
    doc = res.data as OpenAPIV3_1.Document;
  });
  afterAll(async () => { await app.stop(); });

  it('when /openapi.json is fetched without a token, then it is an OpenAPI 3.1.0 document', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Debrief', version: expect.any(String) });
    expect(Object.keys(doc.paths ?? {}).length).toBeGreaterThan(0);
  });

  it('when changes are documented, then the webhook body shows the generic change event, the detail its linked changes, and GitHub\'s signature is a scheme', () => {
    const webhook = doc.paths!['/webhooks/{instance}']!.post!;
    expect(JSON.stringify((webhook.requestBody as OpenAPIV3_1.RequestBodyObject).content['application/json']!.schema)).toContain('Generic change event');
    expect(webhook.security).toContainEqual({ githubSignature: [] });
    expect(doc.components!.securitySchemes!.githubSignature).toMatchObject({ in: 'header', name: 'X-Hub-Signature-256' });
    const detail = doc.components!.schemas!.IncidentDetail as OpenAPIV3_1.SchemaObject;
    expect(detail.required).toContain('changes');
    expect(doc.components!.schemas!.LinkedChange).toMatchObject({ required: expect.arrayContaining(['change', 'reason', 'score', 'timing']) });
  });

  it('when the express routes are compared with the document, then every route is documented and every operation served', () => {
    const routes = registeredRoutes(app.debrief.app);
    expect(routes.length).toBeGreaterThanOrEqual(10);
    expect(routes).toContainEqual({ method: 'post', path: '/webhooks/:instance' });
    expect(routes).toContainEqual({ method: 'get', path: '/api/v1/incidents/:id' });
    expect(compareRoutesWithOpenApi(routes, doc)).toEqual({ undocumented: [], unserved: [] });
  });

  it('when routes are registered, then no method and path is registered twice (express would serve only the first)', () => {
    const keys = registeredRoutes(app.debrief.app).map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  it('when the served document is compared with one built from the declared routes, then they are the same', () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(buildOpenApi(app.debrief.routes, { version: doc.info.version }))));
  });

  it('when operations are listed, then each has a unique operationId, a summary and described responses', () => {
    const ops = operations(doc);
    expect(ops.length).toBe(documentedOperations(doc).length);
    const ids = ops.map((o) => o.op.operationId);
    for (const { method, path, op } of ops) {
      const where = `${method.toUpperCase()} ${path}`;
      expect([where, typeof op.operationId === 'string' && op.operationId.length > 0]).toEqual([where, true]);
      expect([where, typeof op.summary === 'string' && op.summary.length > 0]).toEqual([where, true]);
      const responses = Object.entries(op.responses ?? {});
      expect([where, responses.length > 0]).toEqual([where, true]);
      for (const [code, r] of responses) {
        expect([where, code, /^[1-5]\d\d$/.test(code), typeof (r as OpenAPIV3_1.ResponseObject).description]).toEqual([where, code, true, 'string']);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when a path has a {parameter}, then the operation declares it as a required path parameter', () => {
    for (const { method, path, op } of operations(doc)) {
      const declared = ((op.parameters ?? []) as OpenAPIV3_1.ParameterObject[]).filter((p) => p.in === 'path');
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      expect([method, path, declared.map((p) => p.name).sort()]).toEqual([method, path, [...inPath].sort()]);
      for (const p of declared) expect(p.required).toBe(true);
    }
  });

  it('when an operation needs an API token, then it documents the bearer scheme and its 401 and 403 answers', () => {
    const apiOps = operations(doc).filter(({ op }) => (op.security ?? []).some((s) => 'apiToken' in s));
    expect(apiOps.map((o) => `${o.method} ${o.path}`)).toEqual(expect.arrayContaining(['get /api/v1/incidents', 'get /api/v1/inbox']));
    for (const { method, path, op } of apiOps) {
      expect([method, path, Object.keys(op.responses ?? {})]).toEqual([method, path, expect.arrayContaining(['401', '403'])]);
    }
    expect(doc.components?.securitySchemes?.apiToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('when every $ref is followed, then it resolves inside the document', () => {
    const refs = JSON.stringify(doc).match(/"\$ref"/g) ?? [];
    expect(refs.length).toBeGreaterThan(5);
    expect(unresolvedRefs(doc)).toEqual([]);
  });

  it('when an express route is added without defineRoute, then the comparison reports it', async () => {
    const other = await startTestApp();
    try {
      other.debrief.app.get('/api/v1/sneaky/:thing', (_req, res) => { res.json({}); });
      expect(compareRoutesWithOpenApi(registeredRoutes(other.debrief.app), doc).undocumented).toEqual(['GET /api/v1/sneaky/{thing}']);
    } finally {
      await other.stop();
    }
  });
});

describe('the route/document comparison', () => {
  const doc = {
    paths: {
      '/a': { get: { responses: {} } },
      '/a/{id}': { get: { responses: {} }, patch: { responses: {} } },
    },
  } as unknown as OpenAPIV3_1.Document;

  it('when the routes match the document, then nothing is reported', () => {
    const routes = [{ method: 'get', path: '/a' }, { method: 'get', path: '/a/:id' }, { method: 'patch', path: '/a/:id' }];
    expect(compareRoutesWithOpenApi(routes, doc)).toEqual({ undocumented: [], unserved: [] });
  });

  it('when a fake extra route is served, then it is reported as undocumented', () => {
    const routes = [{ method: 'get', path: '/a' }, { method: 'get', path: '/a/:id' }, { method: 'patch', path: '/a/:id' }, { method: 'delete', path: '/a/:id' }];
    expect(compareRoutesWithOpenApi(routes, doc).undocumented).toEqual(['DELETE /a/{id}']);
  });

  it('when a documented operation is not served, then it is reported as unserved', () => {
    expect(compareRoutesWithOpenApi([{ method: 'get', path: '/a' }], doc).unserved).toEqual(['GET /a/{id}', 'PATCH /a/{id}']);
  });

  it('when a router is mounted with app.use, then its routes are reported rather than skipped', () => {
    const fakeApp = {
      router: {
        stack: [
          { name: 'query', handle: {} },
          { route: { path: '/a', methods: { get: true } } },
          { name: 'router', handle: { stack: [{ route: { path: '/hidden', methods: { post: true } } }] } },
        ],
      },
    };
    const routes = registeredRoutes(fakeApp);
    expect(routes).toEqual([{ method: 'get', path: '/a' }, { method: 'post', path: '(mounted)/hidden' }]);
    expect(compareRoutesWithOpenApi(routes, doc).undocumented).toEqual(['POST (mounted)/hidden']);
  });

  it('when an express path has parameters, then they become OpenAPI templates', () => {
    expect(toOpenApiPath('/api/v1/incidents/:id/report.md')).toBe('/api/v1/incidents/{id}/report.md');
  });

  it('when a $ref points nowhere, then it is reported', () => {
    const broken = { components: { schemas: { A: { type: 'string' } } }, x: { $ref: '#/components/schemas/A' }, y: [{ $ref: '#/components/schemas/B' }] };
    expect(unresolvedRefs(broken)).toEqual(['#/components/schemas/B']);
  });
});
