// Keeps the TypeScript declarations in step with the plugin: the request
// names of plugins/duet/routes.c's table must be exactly the keys of
// RequestMap (and AnswerMap) in types/index.d.ts. Also checks that every
// error code of plugins/duet (DUET_ERR_*) has a named constant in ErrorCode.
// Usage: node client/check-requests.mjs  (exit 1 and a diff when they differ)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const routes = fs.readFileSync(path.join(repo, 'plugins/duet/routes.c'), 'utf8');
const dts = fs.readFileSync(path.join(here, 'types/index.d.ts'), 'utf8');

const table = routes.slice(routes.indexOf('static const duet_route routes[]'));
const inC = [...table.matchAll(/^\s*\{"([a-z_]+)",\s*(SYNC|ASYNC)/gm)].map((m) => m[1]);

function keysOf(iface) {
	const m = new RegExp(`export interface ${iface} \\{([^}]*)\\}`).exec(dts);
	if (!m) throw new Error(`types/index.d.ts has no interface ${iface}`);
	return [...m[1].matchAll(/^\s*([a-z_]+):/gm)].map((k) => k[1]);
}

let bad = 0;
function compare(what, a, b) {
	const missing = a.filter((n) => !b.includes(n));
	const extra = b.filter((n) => !a.includes(n));
	if (missing.length || extra.length) {
		bad++;
		console.log(`${what}: missing ${JSON.stringify(missing)}, not in routes.c ${JSON.stringify(extra)}`);
	}
}
if (inC.length < 10) { console.log(`could not read the request table of routes.c (found ${inC.length})`); process.exit(1); }
compare('RequestMap', inC, keysOf('RequestMap'));
compare('AnswerMap', inC, keysOf('AnswerMap'));

// Error codes: every DUET_ERR_* = N in the plugin's headers has its number in ErrorCode.
const headers = fs.readdirSync(path.join(repo, 'plugins/duet')).filter((f) => f.endsWith('.h'))
	.map((f) => fs.readFileSync(path.join(repo, 'plugins/duet', f), 'utf8')).join('\n');
const codesC = [...headers.matchAll(/DUET_ERR_[A-Z_]+\s*=\s*(4\d\d)/g)].map((m) => Number(m[1]));
const codesTs = [...dts.matchAll(/readonly [A-Z_]+: (4\d\d);/g)].map((m) => Number(m[1]));
const missingCodes = [...new Set(codesC)].filter((c) => !codesTs.includes(c));
if (missingCodes.length) { bad++; console.log(`ErrorCode lacks ${JSON.stringify(missingCodes)}`); }

console.log(`check-requests: ${inC.length} requests in routes.c (${inC.join(' ')}); ${codesC.length} error codes; ${bad ? 'MISMATCH' : 'in step'}`);
process.exit(bad ? 1 : 0);
