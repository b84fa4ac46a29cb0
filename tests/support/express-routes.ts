import type { OpenAPIV3_1 } from 'openapi-types';

/** One method + path registered on an express app, path in express syntax (`/a/:id`). */
export interface RegisteredRoute {
  method: string;
  path: string;
}

interface Layer {
  name?: string;
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * Every route registered on an express 5 app, read from `app.router.stack`: a route layer
 * exposes `route.path` and `route.methods` ({ get: true }). Routers mounted with `app.use`
 * are walked too; their mount path is not recoverable from express 5 layers, so their
 * routes are reported with a `(mounted)` prefix and can never match a documented path,
 * which makes an undeclared sub-router fail the contract test instead of hiding from it.
 */
export function registeredRoutes(app: { router: { stack: unknown[] } }): RegisteredRoute[] {
  const out: RegisteredRoute[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on && method !== '_all') out.push({ method: method.toLowerCase(), path: `${prefix}${p}` });
          }
        }
      } else if (Array.isArray(layer.handle?.stack)) {
        walk(layer.handle.stack, `${prefix}(mounted)`);
      }
    }
  };
  walk(app.router.stack as Layer[], '');
  return out;
}

/** Express path syntax to OpenAPI: `:id` -> `{id}`. */
export const toOpenApiPath = (expressPath: string): string => expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Operations documented in an OpenAPI document, as `METHOD /path` strings. */
export function documentedOperations(doc: Pick<OpenAPIV3_1.Document, 'paths'>): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) if (item && (item as Record<string, unknown>)[method]) out.push(`${method.toUpperCase()} ${path}`);
  }
  return out.sort();
}

/**
 * Compares the express routes with the document, both ways: `undocumented` lists routes the
 * app serves that the document does not describe; `unserved` lists documented operations no
 * route serves. Both must be empty.
 */
export function compareRoutesWithOpenApi(routes: readonly RegisteredRoute[], doc: Pick<OpenAPIV3_1.Document, 'paths'>): { undocumented: string[]; unserved: string[] } {
  const served = [...new Set(routes.map((r) => `${r.method.toUpperCase()} ${toOpenApiPath(r.path)}`))].sort();
  const documented = documentedOperations(doc);
  return {
    undocumented: served.filter((op) => !documented.includes(op)),
    unserved: documented.filter((op) => !served.includes(op)),
  };
}

/** Every `$ref` in a document that does not point at an existing node (JSON pointer into the document). */
export function unresolvedRefs(doc: unknown): string[] {
  const missing: string[] = [];
  const resolve = (ref: string): boolean => {
    if (!ref.startsWith('#/')) return false;
    let node: unknown = doc;
    for (const raw of ref.slice(2).split('/')) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (!node || typeof node !== 'object' || !(key in (node as object))) return false;
      node = (node as Record<string, unknown>)[key];
    }
    return true;
  };
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string' && !resolve(v)) missing.push(v);
        else visit(v);
      }
    }
  };
  visit(doc);
  return missing;
}
