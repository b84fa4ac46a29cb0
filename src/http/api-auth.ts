import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { ROLES, type Role } from '../config/config.schema';
import { ForbiddenError, UnauthorizedError } from '../errors';

export interface ApiPrincipal {
  name: string;
  role: Role;
}

interface HashedToken extends ApiPrincipal {
  digest: Buffer;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * API token check. Tokens are kept only as SHA-256 digests, and every configured digest is
 * compared in constant time, so neither timing nor memory dumps reveal them.
 */
export class ApiAuthenticator {
  private readonly tokens: HashedToken[];

  constructor(tokens: Array<{ name: string; role: Role; token: string }>) {
    this.tokens = tokens.map((token) => ({ name: token.name, role: token.role, digest: sha256(token.token) }));
  }

  authenticate(req: Request): ApiPrincipal {
    const header = req.headers.authorization;
    if (!header) throw new UnauthorizedError('missing credentials: send Authorization: Bearer <API token>');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new UnauthorizedError('unsupported authorization scheme: send Authorization: Bearer <API token>');
    const presented = sha256(match[1]!);
    let found: HashedToken | null = null;
    for (const known of this.tokens) {
      if (timingSafeEqual(presented, known.digest)) found = known;
    }
    if (!found) throw new UnauthorizedError('unknown API token');
    return { name: found.name, role: found.role };
  }

  static authorize(principal: ApiPrincipal, needed: Role): void {
    if (ROLES.indexOf(principal.role) < ROLES.indexOf(needed)) {
      throw new ForbiddenError(`this needs the ${needed} role; token "${principal.name}" has ${principal.role}`);
    }
  }
}
