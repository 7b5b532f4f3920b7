// 17. `npm pack` of client/ gives a tarball a fresh page can use: the
// tarball is unpacked into an empty folder as node_modules/duet-client,
// a folder that holds nothing else but a page with a plain
// <script type="module"> importing the package's browser build; a small
// static server (this test's own) serves it, and two such pages call.
import { e2e, uniqueRoom, expectMedia, assert } from './lib/duet.mjs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const repo = process.env.DUET_REPO || path.resolve('.');

const PAGE = `<!doctype html>
<meta charset="utf-8">
<video id="remote" autoplay playsinline></video>
<script type="module">
	import { DuetCall } from './node_modules/duet-client/dist/duet-client.js';
	const room = new URLSearchParams(location.search).get('room');
	const call = await DuetCall.connect({ server: 'ws://127.0.0.1:8188', room, display: 'fresh' });
	call.on('remoteStream', (s) => { document.getElementById('remote').srcObject = s; });
	window.call = call;
</script>
`;

function serve(dir) {
	return new Promise((resolve) => {
		const server = http.createServer((req, res) => {
			const file = path.join(dir, path.normalize(decodeURIComponent(req.url.split('?')[0])));
			if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) { res.writeHead(404); res.end(); return; }
			res.writeHead(200, { 'Content-Type': file.endsWith('.js') ? 'text/javascript' : 'text/html' });
			res.end(fs.readFileSync(file));
		});
		server.listen(0, '127.0.0.1', () => resolve(server));
	});
}

e2e('npm pack of client/ gives a tarball that a fresh page imports and calls with', async (open) => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duet-pack-'));
	const server = await serve(dir);
	try {
		const out = execFileSync('npm', ['pack', '--pack-destination', dir, '--json'], { cwd: path.join(repo, 'client'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
		const [info] = JSON.parse(out.slice(out.indexOf('[')));
		const files = info.files.map((f) => f.path);
		for (const f of ['package.json', 'dist/duet-client.js', 'dist/duet-core.js', 'src/index.js', 'src/react.js', 'types/index.d.ts', 'types/react.d.ts']) {
			assert.ok(files.includes(f), `the tarball has ${f} (it has ${files.join(' ')})`);
		}
		console.log(`tarball ${info.filename}: ${info.size} bytes packed, ${info.unpackedSize} unpacked, ${files.length} files`);
		const target = path.join(dir, 'node_modules', 'duet-client');
		fs.mkdirSync(target, { recursive: true });
		execFileSync('tar', ['xzf', path.join(dir, info.filename), '-C', target, '--strip-components=1']);
		fs.writeFileSync(path.join(dir, 'index.html'), PAGE);

		const base = `http://127.0.0.1:${server.address().port}`;
		const room = uniqueRoom('pack');
		const a = await open('Ana', room, { path: '/' });
		await a.page.goto(`${base}/?room=${room}`);
		await a.page.waitForFunction(() => window.call && window.call.state === 'waiting', null, { timeout: 20000 });
		const b = await open('Ben', room, { path: '/' });
		await b.page.goto(`${base}/?room=${room}`);
		await Promise.all([a, b].map((p) => p.page.waitForFunction(() => window.call && window.call.state === 'in-call', null, { timeout: 20000 })));
		await expectMedia(a, b);
	} finally {
		server.close();
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
