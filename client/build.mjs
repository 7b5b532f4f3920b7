// Builds the browser ES modules of duet-client into dist/ with esbuild:
//   dist/duet-client.js  everything, janus.js (npm janus-gateway) and
//                        webrtc-adapter included: import it from a plain
//                        <script type="module">, no import map needed
//   dist/duet-core.js    without janus.js: for pages that load janus.js
//                        themselves and pass it as connect({ Janus })
// Both minified, with source maps. Prints the sizes (minified, gzipped).
import { build } from 'esbuild';
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outputs = [
	['src/index.js', 'dist/duet-client.js'],
	['src/core.js', 'dist/duet-core.js'],
];
for (const [entry, outfile] of outputs) {
	await build({
		absWorkingDir: here,
		entryPoints: [entry],
		outfile,
		bundle: true,
		format: 'esm',
		minify: true,
		sourcemap: true,
		target: ['es2020'],
		legalComments: 'eof',
		logLevel: 'warning',
	});
	const code = fs.readFileSync(path.join(here, outfile));
	const gz = zlib.gzipSync(code, { level: 9 }).length;
	console.log(`${outfile}: ${code.length} bytes minified, ${gz} bytes gzipped`);
}
