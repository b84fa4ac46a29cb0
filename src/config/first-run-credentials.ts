import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface FirstRunCredentials {
  apiToken: string;
  alertmanagerBearerToken: string;
}

/**
 * So that `npm start` works on a fresh machine without defaulted secrets: when the environment
 * configures no API token and no Alertmanager credentials, Debrief generates random ones once
 * and keeps them in a file only the owner can read (like Jenkins' initialAdminPassword). The
 * secrets are never logged; the log names the file.
 */
export function loadOrCreateFirstRunCredentials(file: string): { credentials: FirstRunCredentials; created: boolean } {
  if (existsSync(file)) return { credentials: JSON.parse(readFileSync(file, 'utf8')) as FirstRunCredentials, created: false };
  const credentials: FirstRunCredentials = {
    apiToken: randomBytes(24).toString('base64url'),
    alertmanagerBearerToken: randomBytes(24).toString('base64url'),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { credentials, created: true };
}
