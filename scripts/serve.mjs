// A tiny static server for the page: serves index.html and www/ from the
// repository root on 127.0.0.1, with the right MIME types and no way out of
// the allowed folders. Usage: node scripts/serve.mjs [--port 8080]
// Also imported by the browser tests: startServer({ port: 0 }).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Maps a URL path to a file under root, or null when it is not allowed. */
export function resolvePath(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded === '/' || decoded === '') decoded = '/index.html';
  const parts = decoded.split('/').filter(Boolean);
  if (parts.some((p) => p === '..' || p.startsWith('.'))) return null;
  const allowed = parts.length === 1 ? ['index.html', 'favicon.ico'].includes(parts[0]) : parts[0] === 'www';
  if (!allowed) return null;
  const full = normalize(join(root, ...parts));
  if (!full.startsWith(root + sep)) return null;
  return full;
}

export function startServer({ port = 8080, host = '127.0.0.1', root = ROOT, quiet = false } = {}) {
  const server = createServer(async (req, res) => {
    const send = (code, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, {
        'Content-Type': type,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    let file = resolvePath(root, req.url || '/');
    if (!file) return send(404, 'not found\n');
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      send(200, body, MIME[extname(file).toLowerCase()] || 'application/octet-stream');
    } catch {
      send(404, 'not found\n');
    }
    if (!quiet) console.log(`${req.method} ${req.url} ${res.statusCode}`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({ server, port: actual, url: `http://${host}:${actual}/` });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] || '').href) {
  const i = process.argv.indexOf('--port');
  const port = Number(i > 0 ? process.argv[i + 1] : process.env.PORT || 8080);
  const { url } = await startServer({ port });
  console.log(`gradstep is served at ${url} (Ctrl+C to stop)`);
}
