"""Reading a valgrind memcheck XML log: which findings are Duet's.

A finding is Duet's when one of its stacks (for a leak, where the block
was allocated; for an invalid access, where it happened or where the
block was freed) has a frame in the plugin: object libjanus_duet.so or a
source file under plugins/duet/. Janus, GLib, libnice and OpenSSL leak at
exit on their own; those findings are counted and shown, never judged.
"""

import collections
import xml.etree.ElementTree as ET

LEAK_KINDS = ("Leak_DefinitelyLost", "Leak_IndirectlyLost", "Leak_PossiblyLost")
DUET_OBJECT = "libjanus_duet.so"


def is_duet_frame(frame):
    obj = frame.findtext("obj") or ""
    directory = frame.findtext("dir") or ""
    return obj.endswith("/" + DUET_OBJECT) or directory.rstrip("/").endswith("plugins/duet")


def frame_text(frame):
    fn = frame.findtext("fn") or frame.findtext("ip") or "?"
    where = frame.findtext("file")
    if where:
        return "%s (%s:%s)" % (fn, where, frame.findtext("line") or "?")
    return "%s (%s)" % (fn, (frame.findtext("obj") or "?").rsplit("/", 1)[-1])


class Finding:
    """One <error> record: its kind, bytes (for leaks) and stacks."""

    def __init__(self, element):
        self.kind = element.findtext("kind") or "?"
        self.what = element.findtext("xwhat/text") or element.findtext("what") or ""
        self.bytes = int(element.findtext("xwhat/leakedbytes") or 0)
        self.stacks = element.findall("stack")

    @property
    def is_leak(self):
        return self.kind.startswith("Leak_")

    @property
    def is_duet(self):
        return any(is_duet_frame(frame) for stack in self.stacks for frame in stack.findall("frame"))

    def describe(self, frames=12):
        lines = ["%s: %s" % (self.kind, self.what)]
        for frame in self.stacks[0].findall("frame")[:frames] if self.stacks else []:
            lines.append("    %s%s" % ("* " if is_duet_frame(frame) else "  ", frame_text(frame)))
        return "\n".join(lines)


class Report:
    """Every finding of one valgrind run, split into Duet's and the rest."""

    def __init__(self, path):
        root = ET.parse(path).getroot()
        self.findings = [Finding(e) for e in root.findall("error")]
        self.finished = root.find("status/state") is not None and any(
            s.findtext("state") == "FINISHED" for s in root.findall("status")
        )

    def duet_leaks(self, kinds=LEAK_KINDS):
        return [f for f in self.findings if f.is_leak and f.kind in kinds and f.is_duet]

    def duet_errors(self):
        """Invalid reads/writes, bad frees, uninitialised values... in Duet."""
        return [f for f in self.findings if not f.is_leak and f.is_duet]

    def summary(self):
        """Counts of every finding by kind: 'kind: records (bytes)'."""
        records = collections.Counter()
        sizes = collections.Counter()
        for finding in self.findings:
            records[finding.kind] += 1
            sizes[finding.kind] += finding.bytes
        return ["%s: %d records%s" % (k, records[k], ", %d bytes" % sizes[k] if sizes[k] else "") for k in sorted(records)]
