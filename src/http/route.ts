import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Role } from '../config/config.schema';

/** Who may call a route. Webhook routes authenticate per connector instance instead. */
export type Access = { kind: 'public' } | { kind: 'api'; role: Role } | { kind: 'webhook' };

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json. */
  contentType?: string;
}

export interface RouteContext<P, Q, B> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
  /** The API token's name, recorded as the actor of writes; null on public/webhook routes. */
  actor: string | null;
}

/**
 * A route declared once: express registers it, the same schemas validate it, and the OpenAPI
 * document is generated from it. A test fails when an express route is not declared this way.
 */
export interface RouteDef<P = unknown, Q = unknown, B = unknown> {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** Express 5 path syntax (`/api/v1/incidents/:id`). */
  path: string;
  operationId: string;
  summary: string;
  tags: string[];
  access: Access;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  /** JSON body schema (parsed by express.json). Omit for routes that read raw bytes. */
  body?: z.ZodType<B>;
  /** Documented request body for raw-body routes (webhooks), not used for validation here. */
  rawBodyDoc?: { description: string; schema: z.ZodType };
  responses: Record<number, ResponseSpec>;
  handler: (ctx: RouteContext<P, Q, B>) => Promise<void> | void;
}

export const defineRoute = <P, Q, B>(def: RouteDef<P, Q, B>): RouteDef<P, Q, B> => def;

/** `/a/:id/b` -> `/a/{id}/b` for OpenAPI. */
export const openApiPath = (expressPath: string): string => expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
