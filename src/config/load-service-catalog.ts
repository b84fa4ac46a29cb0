import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CatalogError, ServiceCatalog } from '../domain/catalog/service-catalog';
import { ConfigError } from './load-config';

export const DEFAULT_CATALOG_FILE = 'config/services.yaml';

/**
 * Reads the service catalog named by `catalog.file`. With no file configured, the default
 * `config/services.yaml` is used when it exists and an empty catalog otherwise; a file named
 * in the config must exist (a typo should not silently turn topology correlation off).
 * Throws `ConfigError` listing every problem (unknown `dependsOn` names, duplicates...).
 */
export function loadServiceCatalog(file: string | null): ServiceCatalog {
  const path = file ?? DEFAULT_CATALOG_FILE;
  if (!existsSync(path)) {
    if (file === null) return ServiceCatalog.empty();
    throw new ConfigError([`catalog.file (env DEBRIEF_CATALOG_FILE): ${path} does not exist`]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([`catalog.file ${path}: ${(err as Error).message}`]);
  }
  try {
    return ServiceCatalog.fromDocument(doc);
  } catch (err) {
    if (err instanceof CatalogError) throw new ConfigError(err.problems.map((problem) => `catalog.file ${path}: ${problem}`));
    throw err;
  }
}
