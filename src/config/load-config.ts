import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { configSchema, DEFAULT_INSTANCES, ENV_BINDINGS, type Config } from './config.schema';

/** Raised when configuration is invalid; `problems` lists every one, by key path and env name. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Explicit file; otherwise `DEBRIEF_CONFIG`, then `config/debrief.yaml` when it exists. */
  file?: string | null;
  /** Values layered over the file and under the environment (tests use this). */
  overrides?: Record<string, unknown>;
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
    if (!instances.some((i) => i.id === def.id)) instances.push({ ...def });
  }
  raw.instances = instances;

  for (const binding of ENV_BINDINGS) {
    const value = env[binding.env];
    if (value === undefined || value === '') continue;
    setPath(raw, binding.path, binding.parse(value));
  }

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = displayPath(issue.path, raw);
      const binding = ENV_BINDINGS.find((b) => path === b.path || path.startsWith(`${b.path}.`) || path.startsWith(`${b.path}[`));
      problems.push(`${path || '(root)'}${binding ? ` (env ${binding.env})` : ''}: ${issue.message}`);
    }
  } else {
    const seen = new Set<string>();
    result.data.instances.forEach((inst) => {
      if (seen.has(inst.id)) problems.push(`instances[${inst.id}]: duplicate instance id`);
      seen.add(inst.id);
      if (options.knownConnectors && !options.knownConnectors.includes(inst.connector)) {
        problems.push(`instances[${inst.id}].connector: unknown connector "${inst.connector}" (known: ${options.knownConnectors.join(', ')})`);
      }
    });
    const tokenSet = new Set<string>();
    for (const t of result.data.api.tokens) {
      if (tokenSet.has(t.token)) problems.push(`api.tokens[${t.name}] (env DEBRIEF_API_TOKENS): the same token is configured twice`);
      tokenSet.add(t.token);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data!;
}

function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path: string, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined || v === '') {
        problems.push(`${path || '(root)'} (env ${name}): environment variable ${name} is not set`);
        return '';
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, `${path}.${i}`, problems));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, path ? `${path}.${k}` : k, problems)]));
  }
  return value;
}

function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
      ? deepMerge(b as Json, v as Json)
      : v;
  }
  return out;
}

/** Sets `a.b`, or `instances[id].c` (the element of `instances` whose id is `id`). */
function setPath(target: Json, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Json = target;
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    const m = /^(\w+)\[([\w-]+)\]$/.exec(part);
    if (m) {
      const arr = (node[m[1]!] ??= []) as Json[];
      let el = arr.find((e) => e.id === m[2]);
      if (!el) arr.push((el = { id: m[2] }));
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
