#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with warnings as
# errors, then runs the unit tests (plain and under ASan+UBSan), the
# robustness checks (60 s of libFuzzer, the known crash reproducers, the
# concurrency stress program under TSan and under ASan+UBSan), the
# integration tests against the real Janus, the churn soak through the real
# Janus (short form, with its valgrind variant), and the Chromium
# end-to-end tests. Ends with one line "N passed, N failed". Run as root (the tests
# with media need a private network namespace).
#
# Usage: scripts/test.sh [suite...]   suites: unit robustness integration soak fleet e2e bench (default: all)
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
out=$repo/out/test
mkdir -p "$out"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(unit robustness integration soak fleet e2e bench)

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
	for check in "fuzz FUZZ_SECONDS=${DUET_FUZZ_SECONDS:-60}" fuzz-crashes stress; do
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

# A smoke run of each benchmark (bench/, BENCHMARKS.md): a few seconds each,
# only to prove that they still run and that media and calls go through;
# no figure is judged here. Each passes or fails as a whole.
bench_suite() {
	local p=0 f=0 name
	for name in media signaling cpu setup; do
		echo "-- bench/$name/run.sh --smoke"
		if "bench/$name/run.sh" --smoke >"$out/bench-$name.log" 2>&1; then
			p=$((p + 1))
		else
			f=$((f + 1))
			echo "FAILED: bench/$name/run.sh --smoke"
			tail -20 "$out/bench-$name.log"
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
	e2e) tests/e2e/run.sh 2>&1 | tee "$log" ;;
	bench) bench_suite 2>&1 | tee "$log" ;;
	*) echo "unknown suite: $suite" | tee "$log"; false ;;
	esac
	count "$suite" "${PIPESTATUS[0]}" "$log"
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
