// Builds the React example (src/main.tsx) into dist/app.js with esbuild:
// React, duet-client and janus.js bundled, minified, one ES module.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

await build({
	absWorkingDir: path.dirname(fileURLToPath(import.meta.url)),
	entryPoints: ['src/main.tsx'],
	outfile: 'dist/app.js',
	bundle: true,
	format: 'esm',
	minify: true,
	sourcemap: true,
	jsx: 'automatic',
	target: ['es2020'],
	define: { 'process.env.NODE_ENV': '"production"' },
	logLevel: 'warning',
});
console.log('examples/react/dist/app.js built');
