import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The static files of the pages: everything in `src/web/public` plus the vendored browser
 * build of markdown-it (Markdown preview), looked up by bare file name only. The list is read
 * once at start-up, so a request can never name a path outside it.
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

/** Asset names are flat, lower-case file names (`report-page.js`). */
export const ASSET_NAME = /^[a-z0-9][a-z0-9.-]{0,80}\.(?:js|mjs|css|svg)$/;

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

export function loadWebAssets(publicDir: string | null = findPublicDir()): Map<string, WebAsset> {
  const assets = new Map<string, WebAsset>();
  const add = (name: string, file: string) => {
    const ext = name.slice(name.lastIndexOf('.'));
    const contentType = CONTENT_TYPES[ext];
    if (contentType && ASSET_NAME.test(name)) assets.set(name, { file, contentType });
  };
  if (publicDir) for (const name of readdirSync(publicDir)) add(name, join(publicDir, name));
  const md = markdownItBrowserBuild();
  if (md) add('markdown-it.mjs', md);
  return assets;
}
