"""Start, stop and restart a private Janus with the Duet plugin loaded.

A thin wrapper around tests/lib/janus-env.sh: every server lives in its own
folder (configuration, log, plugin configuration). Janus always listens on
127.0.0.1:8088 (HTTP), :8188 (WebSocket) and :7088/admin, so only one
server runs at a time; `JanusManager` reuses the running one when a test
asks for the same duet configuration and replaces it otherwise.
"""

import os
import subprocess
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
JANUS_ENV = os.path.join(REPO, "tests", "lib", "janus-env.sh")
READONLY_JANUS = os.path.join(HERE, "readonly-janus.sh")


def plugin_path():
    return os.environ.get("DUET_PLUGIN") or os.path.join(REPO, "plugins", ".libs", "libjanus_duet.so")


class JanusServer:
    """One Janus instance in folder `workdir`."""

    def __init__(self, workdir, duet_config=None, extra_args=()):
        self.dir = workdir
        self.duet_config = duet_config
        self.extra_args = list(extra_args)
        self.running = False

    @property
    def config_path(self):
        return os.path.join(self.dir, "janus.plugin.duet.jcfg")

    @property
    def log_path(self):
        return os.path.join(self.dir, "janus.log")

    def _env(self, *args, readonly=False):
        env = dict(os.environ, DUET_PLUGIN=plugin_path())
        if readonly:
            # The wrapper runs the Janus this suite runs (Debian's, or 1.4.1's).
            env["DUET_REAL_JANUS_BIN"] = os.environ.get("JANUS_BIN", "janus")
            env["JANUS_BIN"] = READONLY_JANUS
        result = subprocess.run([JANUS_ENV, *args], capture_output=True, text=True, timeout=30, env=env)
        if result.returncode != 0:
            raise RuntimeError(
                "janus-env.sh %s failed (%d):\n%s%s\n%s"
                % (" ".join(args), result.returncode, result.stdout, result.stderr, self.log_tail())
            )

    def start(self):
        args = ["start", self.dir, *self.extra_args]
        if self.duet_config is not None:
            os.makedirs(self.dir, exist_ok=True)
            source = os.path.join(self.dir, "duet-initial.jcfg")
            with open(source, "w") as f:
                f.write(textwrap.dedent(self.duet_config).replace("@DIR@", self.dir))
            args += ["--duet-config", source]
        self._env(*args)
        self.running = True

    def stop(self):
        if self.running:
            self.running = False
            self._env("stop", self.dir)

    def restart(self, readonly=False):
        """Stop and start again in the same folder, keeping janus.plugin.duet.jcfg.
        readonly: Janus sees its folder read-only (readonly-janus.sh)."""
        self.stop()
        self._env("start", self.dir, *self.extra_args, readonly=readonly)
        self.running = True

    def pid(self):
        try:
            with open(os.path.join(self.dir, "janus.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def alive(self):
        pid = self.pid()
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        # A zombie (exited, not yet reaped) counts as dead.
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().split(")")[-1].split()[0] != "Z"
        except OSError:
            return False

    def read_config(self):
        with open(self.config_path) as f:
            return f.read()

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no janus.log)"


class JanusManager:
    """Keeps at most one Janus running; hands out servers by configuration."""

    def __init__(self, basedir):
        self.basedir = basedir
        self.current = None
        self.key = None
        self.count = 0

    def get(self, duet_config=None, extra_args=(), fresh=False):
        key = (duet_config, tuple(extra_args))
        if not fresh and self.current is not None and self.key == key and self.current.alive():
            return self.current
        self.stop()
        self.count += 1
        workdir = os.path.join(self.basedir, "janus-%d" % self.count)
        server = JanusServer(workdir, duet_config, extra_args)
        server.start()
        self.current, self.key = server, key
        return server

    def discard(self):
        """Forget the current server so that the next get() starts a fresh one."""
        self.key = None

    def stop(self):
        if self.current is not None:
            try:
                self.current.stop()
            finally:
                self.current = None
                self.key = None
