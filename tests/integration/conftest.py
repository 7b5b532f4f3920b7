"""Fixtures of the Duet integration suite.

- `janus`: the running Janus (a `JanusServer`). One Janus with the default
  duet configuration is shared by every test that does not say otherwise.
  A test (or module, via `pytestmark`) marked
  `@pytest.mark.duet_config(TEXT, extra_args=(...), fresh=False)` gets a
  Janus started with TEXT as janus.plugin.duet.jcfg (`@DIR@` in TEXT is
  replaced by the server's folder); consecutive tests with the same
  configuration share it unless `fresh=True`. Tests with a configuration
  run after the others, grouped by configuration, so that Janus restarts
  rarely. `janus.restart()` restarts it in the same folder (the plugin's
  configuration file, with its permanent rooms, is kept).
- `duet`: a `duet.Duet` factory of participants, handles and room ids; after
  the test it checks the invariants of every event its handles received
  (`Duet.check_events`) and destroys all its sessions.

After every test the fixture checks that Janus is still running: a crash
fails the test that caused it (and the next test gets a fresh Janus).
"""

import os
import shutil
import tempfile

import pytest

from duet import Duet
from janus_server import JanusManager, plugin_path


def pytest_configure(config):
    config.addinivalue_line("markers", "duet_config(text, extra_args=(), fresh=False): run with this duet configuration")


def pytest_sessionstart(session):
    with open("/proc/net/dev") as f:  # per network namespace, unlike /sys
        interfaces = {line.split(":")[0].strip() for line in f if ":" in line}
    if "v0" not in interfaces:
        pytest.exit(
            "no veth v0: run the suite through tests/integration/run.sh (it needs the private network namespace)",
            returncode=2,
        )
    if not os.path.exists(plugin_path()):
        pytest.exit("plugin not found: %s (build it, or set DUET_PLUGIN)" % plugin_path(), returncode=2)


def _config_key(item):
    marker = item.get_closest_marker("duet_config")
    if marker is None:
        return None
    text = marker.args[0] if marker.args else marker.kwargs.get("text")
    return (text, tuple(marker.kwargs.get("extra_args", ())))


def pytest_collection_modifyitems(session, config, items):
    """Default-configuration tests first, then grouped by configuration."""
    order = {}
    for item in items:
        key = _config_key(item)
        if key not in order:
            order[key] = len(order) if key is not None else -1
    items.sort(key=lambda item: order[_config_key(item)])


@pytest.fixture(scope="session")
def janus_manager(request):
    """Keeps one Janus running (see JanusManager); also usable directly:
    `janus_manager.get(duet_config_text)` starts a Janus with that config."""
    basedir = tempfile.mkdtemp(prefix="duet-it-")
    request.config._duet_basedir = basedir
    manager = JanusManager(basedir)
    yield manager
    manager.stop()
    if request.session.testsfailed == 0:
        shutil.rmtree(basedir, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    basedir = getattr(config, "_duet_basedir", None)
    if basedir and os.path.isdir(basedir):
        terminalreporter.write_line("Janus folders (configuration and janus.log of each run): %s" % basedir)


@pytest.fixture
def janus(request, janus_manager):
    marker = request.node.get_closest_marker("duet_config")
    if marker is None:
        server = janus_manager.get()
    else:
        text = marker.args[0] if marker.args else marker.kwargs.get("text")
        server = janus_manager.get(
            text, marker.kwargs.get("extra_args", ()), fresh=marker.kwargs.get("fresh", False)
        )
    yield server
    if not server.alive():
        janus_manager.discard()
        pytest.fail("Janus is not running any more; last lines of its log:\n" + server.log_tail(), pytrace=False)


@pytest.fixture
def duet(request, janus):
    factory = Duet(request.node.name)
    try:
        yield factory
        factory.check_events()
    finally:
        factory.close()
