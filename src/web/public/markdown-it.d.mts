// The server serves markdown-it's browser build as `markdown-it.mjs` beside these scripts
// (src/web/web-assets.ts); for the type check, that name stands for the package's own types.
export { default } from 'markdown-it';
export type { Token } from 'markdown-it';
