#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with warnings as
# errors, then runs the unit tests (plain and under ASan+UBSan), the
# robustness checks (60 s of libFuzzer, the known crash reproducers, the
# concurrency stress program under TSan and under ASan+UBSan), the
# integration tests against the real Janus, the churn soak through the real
# Janus (short form, with its valgrind variant), and the Chromium
# end-to-end tests, all against Debian's Janus 1.1.2; then Janus 1.4.1 built
# from source (janus14: the integration suite and the end-to-end call
# against it), the Debian package (package: dpkg-buildpackage, lintian,
# install into a stock Janus, purge) and the documentation check (docs).
# Ends with one line "N passed, N failed". Run as root (the tests
# with media need a private network namespace).
#
# Usage: scripts/test.sh [suite...]   suites: unit robustness integration soak fleet client e2e bench janus14 package docs (default: all)
# (fleet: 3 Janus behind HAProxy with Redis; client: the duet-client package and its examples: npm ci, builds, tsc --noEmit, the request-table check)
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
out=$repo/out/test
mkdir -p "$out"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(unit robustness integration soak fleet client e2e bench janus14 package docs)

scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
scripts/build.sh || { echo "0 passed, 1 failed"; exit 1; }
export DUET_PLUGIN=$repo/plugins/.libs/libjanus_duet.so

passed=0
failed=0

# Adds a suite's "N passed, N failed" line to the totals; a suite that
# failed without such a line counts as one failure.
count() {
	local name=$1 rc=$2 log=$3 line p f
	line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed.*/\2/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	else
		p=0
		f=0
	fi
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	echo "== $name: $p passed, $f failed"
}

unit_suite() {
	make -j"$(nproc)" check >"$out/unit-make.log" 2>&1
	local rc=$?
	grep -E '^(PASS|FAIL|ERROR|XPASS)' "$out/unit-make.log" | grep -v '^PASS' || true
	local p f e
	p=$(sed -n 's/^# PASS: *//p' "$out/unit-make.log")
	f=$(sed -n 's/^# FAIL: *//p' "$out/unit-make.log")
	e=$(sed -n 's/^# ERROR: *//p' "$out/unit-make.log")
	[ -n "$p" ] || { tail -30 "$out/unit-make.log"; p=0; }
	echo "$p passed, $(( ${f:-0} + ${e:-0} )) failed"
	return $rc
}

# Each robustness check passes or fails as a whole (its own output says why).
robustness_suite() {
	local p=0 f=0 check
	for check in "fuzz FUZZ_SECONDS=${DUET_FUZZ_SECONDS:-60}" fuzz-crashes "fuzz-feedback FUZZ_SECONDS=20" stress; do
		echo "-- make $check"
		# shellcheck disable=SC2086
		if make $check >"$out/robustness-${check%% *}.log" 2>&1; then
			p=$((p + 1))
		else
			f=$((f + 1))
			echo "FAILED: make $check"
		fi
		grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|fixed|reproduces|stress: |ops: |final: )' \
			"$out/robustness-${check%% *}.log" || tail -20 "$out/robustness-${check%% *}.log"
	done
	echo "$p passed, $f failed"
	[ "$f" = 0 ]
}

# The JavaScript: client/ (duet-client) and examples/: install from the
# committed lock file, build the browser bundles, type-check the package,
# its type test and the React example, and compare the request names of
# plugins/duet/routes.c with the TypeScript declarations. Each step passes
# or fails as a whole.
client_suite() {
	local p=0 f=0 name cmd
	if [ ! -f node_modules/janus-gateway/package.json ] || [ ! -f node_modules/typescript/package.json ]; then
		PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund || { echo "0 passed, 1 failed"; return 1; }
	fi
	for step in "build:npm run build" \
		"tsc client:npx tsc --noEmit -p client/tsconfig.json" \
		"tsc react example:npx tsc --noEmit -p examples/react/tsconfig.json" \
		"request table:node client/check-requests.mjs"; do
		name=${step%%:*}
		cmd=${step#*:}
		echo "-- $name: $cmd"
		if $cmd >"$out/client-${name// /-}.log" 2>&1; then
			p=$((p + 1))
			grep -E 'bytes|check-requests' "$out/client-${name// /-}.log" || true
		else
			f=$((f + 1))
			echo "FAILED: $cmd"
			tail -20 "$out/client-${name// /-}.log"
		fi
	done
	echo "$p passed, $f failed"
	[ "$f" = 0 ]
}

# A smoke run of each benchmark (bench/, BENCHMARKS.md): a few seconds each,
# only to prove that they still run and that media and calls go through;
# no figure is judged here. Each passes or fails as a whole.
bench_suite() {
	local p=0 f=0 script
	for script in media/run.sh signaling/run.sh signaling/run-noisy.sh cpu/run.sh setup/run.sh network/run.sh \
		fleet/run.sh; do
		local log=$out/bench-${script//\//-}.log
		echo "-- bench/$script --smoke"
		if "bench/$script" --smoke >"$log" 2>&1; then
			p=$((p + 1))
		else
			f=$((f + 1))
			echo "FAILED: bench/$script --smoke"
			tail -20 "$log"
		fi
	done
	echo "$p passed, $f failed"
	[ "$f" = 0 ]
}

for suite in "${suites[@]}"; do
	echo "== $suite"
	log=$out/$suite.log
	case "$suite" in
	unit) unit_suite 2>&1 | tee "$log" ;;
	robustness) robustness_suite 2>&1 | tee "$log" ;;
	integration) tests/integration/run.sh 2>&1 | tee "$log" ;;
	soak) tests/soak/run.sh --short 2>&1 | tee "$log" ;;
	fleet) tests/fleet/run.sh 2>&1 | tee "$log" ;;
	client) client_suite 2>&1 | tee "$log" ;;
	e2e) tests/e2e/run.sh 2>&1 | tee "$log" ;;
	bench) bench_suite 2>&1 | tee "$log" ;;
	janus14) tests/janus14/run.sh 2>&1 | tee "$log" ;;
	package) tests/package/run.sh 2>&1 | tee "$log" ;;
	docs) tests/docs/check.sh 2>&1 | tee "$log" ;;
	*) echo "unknown suite: $suite" | tee "$log"; false ;;
	esac
	count "$suite" "${PIPESTATUS[0]}" "$log"
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
