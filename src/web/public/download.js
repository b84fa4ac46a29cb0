// Downloads of files the API serves (report exports). A plain link would carry no
// Authorization header, so the file is fetched with the token and saved from a blob URL.

import { request } from './api.js';
import { h } from './dom.js';
import { errorBanner } from './layout.js';

/**
 * Fetches a file with the token and saves it; a failure shows above the page.
 * @param {string} path @param {string} filename
 */
export async function download(path, filename) {
  try {
    const res = await request(path, { as: 'blob' });
    const url = URL.createObjectURL(/** @type {Blob} */ (res.data));
    const a = h('a', { props: { href: url, download: filename } });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    document.getElementById('main')?.prepend(errorBanner(err, 'Download failed'));
  }
}
