// Static server for the demo page in the tests: html/ at /, Debian's
// /usr/share/javascript (janus.js, adapter.js) at /javascript/, the
// duet-client package (client/: src/ and the built dist/) at /duet-client/,
// the React example (examples/react/) at /react/ — the same layout
// scripts/demo.sh serves — plus the tests' own pages (tests/e2e/pages/) at
// /test/, the call setup benchmark's pages (bench/setup/) at /bench/setup/
// and the shaped-link benchmark's direct-call page (bench/network/) at
// /bench/network/. Usage: node serve.mjs <port> [host]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const htmlRoot = path.join(repoRoot, 'html');
// URL prefix -> folder; anything else is under html/.
const MOUNTS = [
	['/javascript/', '/usr/share/javascript'],
	['/bench/setup/', path.join(repoRoot, 'bench/setup')],
	['/bench/network/', path.join(repoRoot, 'bench/network')],
	['/duet-client/', path.join(repoRoot, 'client')],
	['/react/', path.join(repoRoot, 'examples/react')],
	['/test/', path.join(repoRoot, 'tests/e2e/pages')],
	['/node_modules/', path.join(repoRoot, 'node_modules')],
];
// Extra mounts from DUET_SERVE_MOUNTS="/prefix/=/folder,..." (e.g. an unpacked npm pack tarball).
for (const m of (process.env.DUET_SERVE_MOUNTS || '').split(',').filter(Boolean)) {
	const [prefix, dir] = m.split('=');
	MOUNTS.unshift([prefix, dir]);
}
const port = Number(process.argv[2] || 8000);
const host = process.argv[3] || '127.0.0.1';
const TYPES = {
	'.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml',
	'.map': 'application/json', '.ico': 'image/x-icon',
};

function resolve(urlPath) {
	let p = decodeURIComponent(urlPath.split('?')[0]);
	let base = htmlRoot;
	const mount = MOUNTS.find(([prefix]) => p.startsWith(prefix));
	if (mount) { base = mount[1]; p = p.slice(mount[0].length - 1); }
	if (p.endsWith('/')) p += 'index.html';
	const file = path.join(base, path.normalize(p));
	return file.startsWith(base + path.sep) ? file : null;   // no escaping the roots
}

http.createServer((req, res) => {
	const file = resolve(req.url);
	fs.readFile(file || '', (err, data) => {
		if (err) { res.writeHead(404, { 'Content-Type': 'text/plain' }); res.end('not found\n'); return; }
		res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' });
		res.end(data);
	});
}).listen(port, host, () => console.log(`serving http://${host}:${port}/`));
