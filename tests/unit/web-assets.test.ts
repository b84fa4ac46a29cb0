import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';
import { findPublicDir, loadWebAssets } from '../../src/web/web-assets';

/**
 * What the server hands the browser: the page scripts are ES modules that import each other
 * by relative URL, so a module missing from the asset list is a page that fails to load in
 * the browser only. These tests read the real `src/web/public`.
 */

const publicDir = findPublicDir(join(__dirname, '..', '..', 'src', 'web'));

/** Every file under `dir`, as `/`-separated paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
}

/** Module specifiers in code (static and dynamic imports, re-exports), not in comments. */
function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
  const found: string[] = [];
  for (const m of code.matchAll(/^\s*(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"\s,]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm)) {
    found.push((m[1] ?? m[2] ?? m[3])!);
  }
  return found;
}

describe('web assets', () => {
  it('when the pages are served, then every script, style and icon under src/web/public has an asset name, and no other file does', () => {
    expect(publicDir).not.toBeNull();
    const assets = loadWebAssets(publicDir);
    const servable = filesUnder(publicDir!).filter((f) => /\.(?:js|mjs|css|svg)$/.test(f)).sort();
    const local = [...assets.keys()].filter((name) => name !== 'markdown-it.mjs').sort();
    expect(local).toEqual(servable);
    expect(assets.get('app.js')?.contentType).toBe('text/javascript; charset=utf-8');
    // Type-check files (tsconfig, declarations) stay on the server.
    expect(local.filter((n) => /\.d\.m?ts$|\.json$/.test(n))).toEqual([]);
  });

  it('when a page script imports another module, then that module is served under the URL the browser resolves', () => {
    const assets = loadWebAssets(publicDir);
    const scripts = [...assets.keys()].filter((n) => n.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(5);
    const missing: string[] = [];
    let imports = 0;
    for (const name of scripts) {
      for (const spec of importsOf(readFileSync(assets.get(name)!.file, 'utf8'))) {
        imports++;
        // A browser resolves only URLs here (no import map): relative ones against the
        // importing module's URL, /ui/assets/<name>.
        const relativeUrl = spec.startsWith('./') || spec.startsWith('../');
        const target = relativeUrl ? posix.normalize(posix.join(posix.dirname(name), spec)) : null;
        if (target === null || !assets.has(target)) missing.push(`${name} imports ${spec}`);
      }
    }
    expect(imports).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });

  it('when the public folder holds deeper folders, dot files, upper-case names or type declarations, then those are not served', () => {
    const dir = mkdtempSync(join(tmpdir(), 'debrief-assets-'));
    try {
      const put = (path: string) => {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), '');
      };
      for (const path of [
        'app.js', 'styles.css', 'Upper.js', '.hidden.js', 'types.d.ts', 'tsconfig.json',
        'panel/part.js', 'panel/notes.md', 'panel/deeper/far.js', 'Bad.Folder/x.js', '.git/y.js',
      ]) put(path);
      expect([...loadWebAssets(dir).keys()].filter((n) => n !== 'markdown-it.mjs').sort()).toEqual(['app.js', 'panel/part.js', 'styles.css']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
