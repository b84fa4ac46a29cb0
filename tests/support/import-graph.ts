import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

/**
 * The project's import graph and the layer rules it must keep, read with the TypeScript
 * compiler's own pre-processor (no bundler, no guessing). Used by tests/unit/architecture.test.ts.
 */

export const ROOT = join(__dirname, '../..');

/** Every TypeScript source of `dirs` (relative to the repository), without fixtures and declaration files. */
export function sourceFiles(dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(ROOT, dir))) {
      const path = join(dir, name);
      if (statSync(join(ROOT, path)).isDirectory()) {
        if (name !== 'fixtures' && name !== 'node_modules') walk(path);
      } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
    }
  };
  for (const dir of dirs) walk(dir);
  return out.sort();
}

export interface ImportEdge {
  from: string;
  to: string;
}

/** The relative imports of each file, resolved to repository paths. */
export function importEdges(files: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const from of files) {
    const info = ts.preProcessFile(readFileSync(join(ROOT, from), 'utf8'), true, true);
    for (const imported of info.importedFiles) {
      if (!imported.fileName.startsWith('.')) continue;
      const base = normalize(join(dirname(from), imported.fileName));
      const to = [`${base}.ts`, join(base, 'index.ts'), base].find((candidate) => existsSync(join(ROOT, candidate)) && statSync(join(ROOT, candidate)).isFile());
      if (to) edges.push({ from, to: relative('.', to) });
    }
  }
  return edges;
}

/**
 * Which way imports may point. Inner layers know nothing of outer ones:
 * domain (pure) < connectors, config < store < ingest, integrations, services < http < app, main, cli.
 * Each rule: files matching `from` may import only files matching one of `may`.
 */
export interface LayerRule {
  name: string;
  from: RegExp;
  may: RegExp[];
}

const SHARED = [/^src\/errors\.ts$/];

export const LAYER_RULES: LayerRule[] = [
  { name: 'the domain is pure: it imports only the domain', from: /^src\/domain\//, may: [/^src\/domain\//, ...SHARED] },
  { name: 'connectors know only connectors and domain types', from: /^connectors\//, may: [/^connectors\//, /^src\/domain\//, ...SHARED] },
  { name: 'configuration knows only itself, the domain and the connector list', from: /^src\/config\//, may: [/^src\/config\//, /^src\/domain\//, /^connectors\//, ...SHARED] },
  { name: 'stores know the domain, not who uses them', from: /^src\/store\//, may: [/^src\/store\//, /^src\/domain\//, ...SHARED] },
  {
    name: 'processing, integrations and services never reach into HTTP, the app or the CLI',
    from: /^src\/(ingest|integrations|services)\//,
    may: [/^src\/(ingest|integrations|services|store|domain|config)\//, /^connectors\//, /^src\/(metrics|logger|json-checks)\.ts$/, ...SHARED],
  },
  { name: 'HTTP never reaches into the app wiring or the CLI', from: /^src\/http\//, may: [/^src\/(?!app\.ts$|main\.ts$|cli\/)/, /^connectors\//] },
];

/** Engine-specific store code is opened only by the store layer's own factory. */
export const ENGINE_RULE = { name: 'only src/store opens a store engine', engine: /^src\/store\/(sqlite|mongo)\//, mayUse: /^src\/store\// };

export interface Violation {
  rule: string;
  edge: ImportEdge;
}

export function layerViolations(edges: readonly ImportEdge[]): Violation[] {
  const out: Violation[] = [];
  for (const edge of edges) {
    for (const rule of LAYER_RULES) {
      if (rule.from.test(edge.from) && !rule.may.some((pattern) => pattern.test(edge.to))) out.push({ rule: rule.name, edge });
    }
    if (ENGINE_RULE.engine.test(edge.to) && !ENGINE_RULE.mayUse.test(edge.from)) out.push({ rule: ENGINE_RULE.name, edge });
  }
  return out;
}

/** Import cycles (strongly connected components of more than one file, or a file importing itself). */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) (next.get(from) ?? next.set(from, []).get(from)!).push(to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (next.get(node) ?? []).includes(node)) cycles.push(component.sort());
    }
  };
  for (const node of next.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

export interface FunctionLength {
  file: string;
  name: string;
  line: number;
  lines: number;
}

/** Every function, method and arrow of `files` with its length in lines. */
export function functionLengths(files: readonly string[]): FunctionLength[] {
  const out: FunctionLength[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const named = (node as { name?: ts.Node }).name ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name : undefined);
        out.push({ file, name: named ? named.getText(source) : '(anonymous)', line: start + 1, lines: end - start + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out;
}
