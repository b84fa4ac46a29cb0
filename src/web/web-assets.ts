import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The static files of the pages: the files in `src/web/public` and in its folders one level
 * down (a page's panels: `report/sections.js`), plus the vendored browser build of
 * markdown-it (Markdown preview). They are looked up by name only; the list is read once at
 * start-up, so a request can never name a path outside it.
 */
export interface WebAsset {
  file: string;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Asset file names are lower-case names with a served extension (`page-report.js`). */
export const ASSET_NAME = /^[a-z0-9][a-z0-9.-]{0,80}\.(?:js|mjs|css|svg)$/;

/** Folders of assets are lower-case names without dots (`report`); only one level is served. */
export const ASSET_FOLDER = /^[a-z0-9][a-z0-9-]{0,40}$/;

/**
 * Where the page sources live. The compiled server runs from `dist/src/...`, which holds no
 * static files, so the search also walks up to the package root's `src/web/public`.
 */
export function findPublicDir(from: string = __dirname): string | null {
  const direct = resolve(from, 'public');
  if (existsSync(direct)) return direct;
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'src', 'web', 'public');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

function markdownItBrowserBuild(): string | null {
  try {
    const pkg = require.resolve('markdown-it/package.json');
    const file = join(dirname(pkg), 'dist', 'browser', 'markdown-it.esm.min.mjs');
    return existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

/** Assets by name: `app.js` for a file at the top, `report/sections.js` for one in a folder. */
export function loadWebAssets(publicDir: string | null = findPublicDir()): Map<string, WebAsset> {
  const assets = new Map<string, WebAsset>();
  const add = (folder: string | null, name: string, file: string) => {
    const ext = name.slice(name.lastIndexOf('.'));
    const contentType = CONTENT_TYPES[ext];
    if (contentType && ASSET_NAME.test(name)) assets.set(folder ? `${folder}/${name}` : name, { file, contentType });
  };
  if (publicDir) {
    for (const entry of readdirSync(publicDir, { withFileTypes: true })) {
      const path = join(publicDir, entry.name);
      if (entry.isFile()) add(null, entry.name, path);
      else if (entry.isDirectory() && ASSET_FOLDER.test(entry.name)) {
        for (const inner of readdirSync(path, { withFileTypes: true })) if (inner.isFile()) add(entry.name, inner.name, join(path, inner.name));
      }
    }
  }
  const md = markdownItBrowserBuild();
  if (md) add(null, 'markdown-it.mjs', md);
  return assets;
}
