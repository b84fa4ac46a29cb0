import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { configSchema, DEFAULT_INSTANCES, ENV_BINDINGS, type Config } from './config.schema';

/** Raised when configuration is invalid; `problems` lists every one, by key path and env name. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit file; otherwise `DEBRIEF_CONFIG`, then `config/debrief.yaml` when it exists. */
  file?: string | null;
  /** Values layered over the file and under the environment (tests use this). */
  overrides?: Record<string, unknown>;
  /**
   * Default instances are added only for these connectors (default: all). Which connectors an
   * instance may name is the schema's business: every connector in `connectors/index.ts`.
   */
  knownConnectors?: string[];
}

type Json = Record<string, unknown>;

/**
 * Reads file + environment into a validated `Config`, or throws `ConfigError` listing every
 * problem. `${VAR}` in file values is replaced from the environment, so secrets can live in
 * env while structure lives in the file; a missing variable is a problem, never an empty value.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const file = options.file === undefined ? (env.DEBRIEF_CONFIG ?? (existsSync('config/debrief.yaml') ? 'config/debrief.yaml' : null)) : options.file;

  let raw: Json = {};
  if (file) {
    try {
      raw = (parseYaml(readFileSync(file, 'utf8')) as Json | null) ?? {};
    } catch (err) {
      throw new ConfigError([`${file}: ${(err as Error).message}`]);
    }
    raw = expandEnv(raw, env, '', problems) as Json;
  }
  raw = deepMerge(raw, options.overrides ?? {});

  const instances = Array.isArray(raw.instances) ? [...(raw.instances as Json[])] : [];
  for (const def of DEFAULT_INSTANCES) {
    if (options.knownConnectors && !options.knownConnectors.includes(def.connector)) continue;
    if (!instances.some((instance) => instance.id === def.id)) instances.push({ ...def });
  }
  raw.instances = instances;

  for (const binding of ENV_BINDINGS) {
    const value = env[binding.env];
    if (value === undefined || value === '') continue;
    setPath(raw, binding.path, binding.parse(value));
  }

  const result = configSchema.safeParse(raw);
  const problem = (path: string, message: string) => {
    const binding = ENV_BINDINGS.find((candidate) => path === candidate.path || path.startsWith(`${candidate.path}.`) || path.startsWith(`${candidate.path}[`));
    problems.push(`${path || '(root)'}${binding ? ` (env ${binding.env})` : ''}: ${message}`);
  };
  if (!result.success) {
    for (const issue of result.error.issues) problem(displayPath(issue.path, raw), issue.message);
  }
  // Keys zod would silently drop are typos (`server.prot`): an ignored setting is a wrong setting.
  for (const unknown of unknownKeys(configSchema, raw, [])) {
    problem(displayPath(unknown.path, raw), `unknown setting (known here: ${unknown.known.join(', ')})`);
  }
  // Checked on the raw input, so they are listed together with any schema problem, not after a fix.
  const seen = new Set<string>();
  for (const inst of arrayOf(raw.instances)) {
    if (typeof inst.id !== 'string') continue;
    if (seen.has(inst.id)) problems.push(`instances[${inst.id}]: duplicate instance id`);
    seen.add(inst.id);
  }
  const tokenSet = new Set<string>();
  for (const token of arrayOf((raw.api as Json | undefined)?.tokens)) {
    if (typeof token.token !== 'string' || token.token === '') continue;
    if (tokenSet.has(token.token)) problems.push(`api.tokens[${String(token.name)}] (env DEBRIEF_API_TOKENS): the same token is configured twice`);
    tokenSet.add(token.token);
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

const arrayOf = (value: unknown): Json[] => (Array.isArray(value) ? value.filter((item): item is Json => !!item && typeof item === 'object' && !Array.isArray(item)) : []);

interface ZodDefLike {
  type?: string;
  shape?: Record<string, { _zod: { def: ZodDefLike } }>;
  catchall?: { _zod: { def: ZodDefLike } };
  innerType?: { _zod: { def: ZodDefLike } };
  in?: { _zod: { def: ZodDefLike } };
  element?: { _zod: { def: ZodDefLike } };
  /** Discriminated unions: the key that picks the option, and the options. */
  discriminator?: string;
  options?: Array<{ _zod: { def: ZodDefLike } }>;
  /** Literals. */
  values?: unknown[];
}

/**
 * Keys of `value` that no object in `schema` declares. Strict objects are skipped (zod itself
 * reports their unknown keys); a discriminated union is checked against the option its
 * discriminator picks (connector instances: that connector's credential keys); records, other
 * unions and scalars accept anything by design.
 */
function unknownKeys(schema: unknown, value: unknown, path: PropertyKey[]): Array<{ path: PropertyKey[]; known: string[] }> {
  let def = (schema as { _zod?: { def?: ZodDefLike } })?._zod?.def;
  while (def && ['default', 'optional', 'nullable', 'prefault', 'readonly', 'catch', 'pipe'].includes(def.type ?? '')) {
    def = (def.innerType ?? def.in)?._zod.def;
  }
  if (!def || value === null || typeof value !== 'object') return [];
  if (def.type === 'union' && def.discriminator !== undefined) {
    if (Array.isArray(value)) return [];
    const tag = (value as Json)[def.discriminator];
    const picked = def.options?.find((o) => o._zod.def.shape?.[def!.discriminator!]?._zod.def.values?.includes(tag));
    return picked ? unknownKeys(picked, value, path) : [];
  }
  if (def.type === 'array' && Array.isArray(value)) {
    return value.flatMap((item, index) => unknownKeys({ _zod: { def: def!.element!._zod.def } }, item, [...path, index]));
  }
  if (def.type !== 'object' || Array.isArray(value) || !def.shape) return [];
  const shape = def.shape;
  const strict = def.catchall?._zod.def.type === 'never';
  const out: Array<{ path: PropertyKey[]; known: string[] }> = [];
  for (const [key, child] of Object.entries(value)) {
    if (shape[key]) out.push(...unknownKeys(shape[key], child, [...path, key]));
    else if (!strict && !def.catchall) out.push({ path: [...path, key], known: Object.keys(shape) });
  }
  return out;
}

function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path: string, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_m, name: string) => {
      const envValue = env[name];
      if (envValue === undefined || envValue === '') {
        problems.push(`${path || '(root)'} (env ${name}): environment variable ${name} is not set`);
        return '';
      }
      return envValue;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => expandEnv(item, env, `${path}.${index}`, problems));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, expandEnv(child, env, path ? `${path}.${key}` : key, problems)]));
  }
  return value;
}

function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, overValue] of Object.entries(over)) {
    const baseValue = out[key];
    out[key] = overValue && typeof overValue === 'object' && !Array.isArray(overValue) && baseValue && typeof baseValue === 'object' && !Array.isArray(baseValue)
      ? deepMerge(baseValue as Json, overValue as Json)
      : overValue;
  }
  return out;
}

/** Sets `a.b`, or `instances[id].c` (the element of `instances` whose id is `id`). */
function setPath(target: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Json = target;
  parts.forEach((part, index) => {
    const last = index === parts.length - 1;
    const match = /^(\w+)\[([\w-]+)\]$/.exec(part);
    if (match) {
      const arr = (node[match[1]!] ??= []) as Json[];
      let el = arr.find((element) => element.id === match[2]);
      if (!el) arr.push((el = { id: match[2] }));
      node = el;
      return;
    }
    if (last) node[part] = value;
    else node = (node[part] ??= {}) as Json;
  });
}

function displayPath(path: PropertyKey[], raw: Json): string {
  let out = '';
  let node: unknown = raw;
  for (const seg of path) {
    if (typeof seg === 'number' && Array.isArray(node)) {
      const id = (node[seg] as Json | undefined)?.id;
      out += typeof id === 'string' ? `[${id}]` : `.${seg}`;
      node = node[seg];
    } else {
      out += out ? `.${String(seg)}` : String(seg);
      node = node && typeof node === 'object' ? (node as Json)[String(seg)] : undefined;
    }
  }
  return out;
}
