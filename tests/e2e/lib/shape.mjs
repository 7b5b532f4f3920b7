// tests/lib/shape.sh from node (the shaped-link benchmark and tests):
// shape('set', '--down', 500) etc.; returns its output. Synchronous: a
// shaping change is a few tc/iptables calls.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../lib/shape.sh');

export function shape(...args) {
	return execFileSync(SCRIPT, args.map(String), { encoding: 'utf8' }).trim();
}
