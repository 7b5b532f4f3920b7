"""Shared pieces of the Python benchmarks: summary statistics and readings
of a process's CPU time and resident memory from /proc.

The machines are noisy, so every benchmark reports the median of repeated
runs together with the spread (min..max); these helpers keep that uniform.
"""

import os

_TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values, p):
    """The p-th percentile (0..100) by linear interpolation; None if empty."""
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def median(values):
    return percentile(values, 50)


def spread(values):
    """'median (min..max)' text for a table cell."""
    if not values:
        return "-"
    return "%s (%s..%s)" % (_fmt(median(values)), _fmt(min(values)), _fmt(max(values)))


def _fmt(x):
    if abs(x) >= 100:
        return "%.0f" % x
    if abs(x) >= 10:
        return "%.1f" % x
    return "%.2f" % x


def cpu_seconds(pid):
    """User + system CPU seconds used so far by every thread of pid."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / _TICKS


def rss_kib(pid):
    """Resident set size of pid in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise ValueError("no VmRSS for pid %d" % pid)


def janus_pid(janus_dir):
    """The pid of the Janus that tests/lib/janus-env.sh started in janus_dir."""
    with open(os.path.join(janus_dir, "janus.pid")) as f:
        return int(f.read().strip())


def thread_times(pid):
    """(name, CPU seconds, seconds runnable but waiting for a CPU) of every
    thread of pid now alive, in nanoseconds' precision
    (/proc/<pid>/task/*/comm and schedstat)."""
    result = []
    task_dir = "/proc/%d/task" % pid
    for tid in os.listdir(task_dir):
        try:
            with open("%s/%s/comm" % (task_dir, tid)) as f:
                name = f.read().strip()
            with open("%s/%s/schedstat" % (task_dir, tid)) as f:
                fields = f.read().split()
            result.append((name, int(fields[0]) / 1e9, int(fields[1]) / 1e9))
        except (OSError, IndexError, ValueError):
            pass  # the thread exited meanwhile
    return result


def run_delay_seconds(pid):
    """Seconds that the threads of pid now alive have spent runnable but
    waiting for a CPU: how much other load on the machine held the process
    back. Threads that already exited are not counted."""
    return sum(wait for _, _, wait in thread_times(pid))
