#!/usr/bin/env python3
"""Record a QMP corpus from a real QEMU (qemu-system-x86_64).

    scripts/record-corpus.py [--qemu PROGRAM] [--qemu-img PROGRAM] OUT

starts QEMU twice, paused, TCG, without a guest, with every file (images,
sockets, the migration stream) in a fresh directory under /tmp that is
removed afterwards, and writes into OUT (and OUT/machine-none) the corpus in
the format of shared/qmp-corpus/10.0.2:

  <command>.json        one call: request, request_raw, response,
                        response_raw, events_during, elapsed_ms (and, for
                        the state-changing sequence, events_after and a
                        note); `~2`, `~3` ... for repeated commands
  greeting.json         the greeting, raw and parsed
  schema.json           the query-qmp-schema call
  events.jsonl          every event, one a line, as received
  errors.json           bad requests with QEMU's replies (case, class, desc)
  argless-commands.json the commands without required arguments
  summary.json          what was called and what came back
  validation.json       each reply and event checked against the schema

The first run is a q35 machine with a disk, a CD-ROM, a NIC without a
network backend, a USB tablet, a balloon, a virtio serial port and an
iothread; it calls every argument-less query, then a sequence of commands
chosen for their events (stop/cont, reset, the CD-ROM tray, USB hot-plug, a
backup job, a migration to a file, ...), then the bad requests.  The second
(`machine-none/`) is `-machine none` with QMP's out-of-band capability.

QEMU 11 from scripts/install-qemu-11.sh runs in a chroot that shares only
/tmp, hence the working directory under /tmp:

    scripts/record-corpus.py --qemu target/peers/bin/qemu-system-x86_64-11 \\
        --qemu-img target/peers/bin/qemu-img-11 tests/corpus/qemu-11.1.3

Standard library only.
"""

import argparse
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import time

SETTLE = 0.3  # seconds of listening for events after each state change
EVENT_TIMEOUT = 30.0  # at most this long for an awaited event
REPLY_TIMEOUT = 60.0
FURTHER_REPLIES = 0.2  # listening for more replies to one bad input line
UUID = "6b1f1c1e-0000-4000-8000-000000000001"
INTROSPECTION = ["query-commands", "query-events", "query-version",
                 "query-machines", "query-target", "query-kvm"]

# Bad requests, sent as raw lines (after the state-changing sequence).
BAD_REQUESTS = [
    ("unknown command", '{"execute": "no-such-command", "id": "e1"}'),
    ("unexpected argument",
     '{"execute": "query-status", "arguments": {"bogus": 1}, "id": "e2"}'),
    ("wrong argument type (int for str)",
     '{"execute": "device_del", "arguments": {"id": 123}, "id": "e3"}'),
    ("wrong argument type (str for bool)",
     '{"execute": "set_link", "arguments": {"name": "net0", "up": "yes"}, "id": "e4"}'),
    ("missing required argument", '{"execute": "device_del", "id": "e5"}'),
    ("DeviceNotFound",
     '{"execute": "device_del", "arguments": {"id": "nope"}, "id": "e6"}'),
    ("malformed JSON (bad bracket)", '{"execute": "query-status" ]'),
    ("malformed JSON (garbage token)", "hello world"),
    ("missing execute", '{"arguments": {}, "id": "e9"}'),
    ("top level not an object", "[1, 2, 3]"),
    ("execute not a string", '{"execute": 42, "id": "e11"}'),
    ("arguments not an object",
     '{"execute": "query-status", "arguments": [], "id": "e12"}'),
    ("unknown top-level key", '{"execute": "query-status", "bogus": 1, "id": "e13"}'),
    ("exec-oob without oob capability", '{"exec-oob": "migrate-pause", "id": "e14"}'),
    ("both execute and exec-oob",
     '{"execute": "query-status", "exec-oob": "query-status", "id": "e15"}'),
    ("id of a non-string type is echoed",
     '{"execute": "no-such-command", "id": {"n": [1, 2]}}'),
    ("enum value out of range",
     '{"execute": "set-action", "arguments": {"reboot": "explode"}, "id": "e17"}'),
    ("query-rx-filter for a NIC that does not exist",
     '{"execute": "query-rx-filter", "arguments": {"name": "nope"}, "id": "e18"}'),
    ("request without id (reply has no id)", '{"execute": "no-such-command"}'),
]
OOB_REQUESTS = [
    ("exec-oob of a command that allows OOB (query-yank)",
     '{"exec-oob": "query-yank", "id": "o1"}'),
    ("exec-oob of a command that does not allow OOB",
     '{"exec-oob": "query-status", "id": "o2"}'),
    ("exec-oob without id", '{"exec-oob": "query-yank"}'),
]


def fail(message):
    sys.exit(f"record-corpus: error: {message}")


def write_json(path, value):
    with open(path, "w", encoding="ascii") as out:
        out.write(json.dumps(value, indent=1) + "\n")


class Action:
    """One step of the state-changing sequence: a command, a note, and the
    events to wait for (names, or (name, data-member, values))."""

    def __init__(self, command, arguments=None, note=None, wait=()):
        self.command, self.arguments, self.note, self.wait = command, arguments, note, wait


def q35_actions(work):
    return [
        Action("cont", note="prelaunch -> running", wait=["RESUME"]),
        Action("stop", wait=["STOP"]),
        Action("query-status", note="after stop"),
        Action("cont", wait=["RESUME"]),
        Action("system_reset", wait=["RESET"]),
        Action("system_powerdown", note="no guest OS: only POWERDOWN, no SHUTDOWN",
               wait=["POWERDOWN"]),
        Action("eject", {"id": "cd0", "force": True}, note="empty tray -> opens",
               wait=["DEVICE_TRAY_MOVED"]),
        Action("blockdev-close-tray", {"id": "cd0"}, wait=["DEVICE_TRAY_MOVED"]),
        Action("blockdev-change-medium",
               {"id": "cd0", "filename": f"{work}/media.raw", "format": "raw",
                "read-only-mode": "read-only"},
               wait=["DEVICE_TRAY_MOVED", "DEVICE_TRAY_MOVED"]),
        Action("query-block", note="after blockdev-change-medium on cd0"),
        Action("device_add", {"driver": "usb-kbd", "id": "kbd0", "bus": "xhci.0"},
               note="USB hot-plug needs no guest co-operation"),
        Action("query-mice", note="after usb-kbd hot-plug (kbd is not a mouse; for contrast)"),
        Action("device_del", {"id": "kbd0"}, wait=["DEVICE_DELETED"]),
        Action("device_del", {"id": "net0"}, note="virtio-net on pcie.0: not hot-pluggable"),
        Action("blockdev-add",
               {"driver": "qcow2", "node-name": "bk-tgt",
                "file": {"driver": "file", "filename": f"{work}/backup.qcow2"}}),
        Action("blockdev-backup",
               {"job-id": "bk0", "device": "disk0", "target": "bk-tgt", "sync": "full",
                "speed": 1048576, "auto-finalize": False, "auto-dismiss": False},
               note="rate-limited so query-*-jobs see it running",
               wait=[("JOB_STATUS_CHANGE", "status", ["running"])]),
        Action("query-block-jobs", note="while bk0 runs"),
        Action("query-jobs", note="while bk0 runs"),
        Action("block-job-set-speed", {"device": "bk0", "speed": 0},
               wait=["BLOCK_JOB_PENDING"]),
        Action("job-finalize", {"id": "bk0"},
               wait=[("JOB_STATUS_CHANGE", "status", ["concluded"])]),
        Action("query-jobs", note="bk0 concluded, not yet dismissed"),
        Action("job-dismiss", {"id": "bk0"}, wait=[("JOB_STATUS_CHANGE", "status", ["null"])]),
        Action("blockdev-del", {"node-name": "bk-tgt"}),
        Action("human-monitor-command", {"command-line": "info version"}),
        Action("set_link", {"name": "net0", "up": False}, note="no event expected"),
        Action("query-rx-filter", {"name": "net0"}, note="query with a required argument"),
        Action("migrate-set-capabilities",
               {"capabilities": [{"capability": "events", "state": True}]}),
        Action("migrate", {"uri": f"file:{work}/mig.bin"},
               wait=[("MIGRATION", "status", ["completed", "failed", "cancelled"])]),
        Action("query-migrate", note="after a completed migration to a file"),
        Action("query-status", note="after migration (postmigrate)"),
        Action("cont", note="resume after migration", wait=["RESUME"]),
        Action("query-status", note="after cont from postmigrate"),
    ]


def none_actions(_work):
    return [
        Action("cont", note="prelaunch -> running", wait=["RESUME"]),
        Action("stop", wait=["STOP"]),
        Action("query-status", note="after stop"),
        Action("cont", wait=["RESUME"]),
        Action("system_reset", wait=["RESET"]),
        Action("system_powerdown", note="no guest OS: only POWERDOWN, no SHUTDOWN",
               wait=["POWERDOWN"]),
        Action("query-status", note="after the state changes"),
    ]


def q35_command_line(work):
    return [
        "-name", "qmp-peer", "-uuid", UUID,
        "-machine", "q35", "-accel", "tcg", "-nodefaults", "-display", "none", "-S",
        "-m", "128", "-smp", "2",
        "-chardev", "null,id=ser0", "-serial", "chardev:ser0",
        "-qmp", f"unix:{work}/qmp.sock,server=on,wait=off",
        "-chardev", f"socket,id=qga0,path={work}/qga.sock,server=on,wait=off",
        "-object", "iothread,id=iot0",
        "-blockdev", json.dumps({"driver": "file", "node-name": "disk0-file",
                                 "filename": f"{work}/disk0.qcow2"}),
        "-blockdev", json.dumps({"driver": "qcow2", "node-name": "disk0",
                                 "file": "disk0-file"}),
        "-drive", "if=none,id=cdrom0,media=cdrom",
        "-device", "ide-cd,drive=cdrom0,id=cd0",
        "-device", "virtio-blk-pci,drive=disk0,id=vblk0",
        # A NIC without a network backend (nothing leaves the machine), nor
        # a boot ROM.
        "-device", "virtio-net-pci,id=net0,romfile=",
        "-device", "qemu-xhci,id=xhci",
        "-device", "usb-tablet,id=tablet0,bus=xhci.0",
        "-device", "virtio-balloon-pci,id=balloon0",
        "-device", "virtio-serial-pci,id=vser0",
        "-device", "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
    ]


def none_command_line(work):
    return [
        "-machine", "none", "-accel", "tcg", "-nodefaults", "-display", "none", "-S",
        "-qmp", f"unix:{work}/qmp.sock,server=on,wait=off",
    ]


class Qmp:
    """A QMP connection read line by line; every event is also logged."""

    def __init__(self, path, deadline):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.buffer = b""
        self.events_raw = []
        self.events = []
        while True:
            try:
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        self.connected = time.monotonic()

    def send(self, raw):
        self.sock.sendall(raw.encode() + b"\n")

    def read(self, timeout):
        """The next message as (raw, parsed), or None after `timeout`."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return None
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("QEMU closed the QMP socket")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        raw = line.rstrip(b"\r").decode()
        message = json.loads(raw)
        if "event" in message:
            self.events_raw.append(raw)
            self.events.append(message)
        return raw, message


class Recorder:
    def __init__(self, qmp, out):
        self.qmp, self.out = qmp, out
        self.next_id = 1
        self.names = {}  # command -> times recorded (for the ~N suffix)
        self.files = {}  # file -> record
        self.errors = []

    def file_name(self, command):
        if command == "query-qmp-schema":
            return "schema.json"
        count = self.names.get(command, 0) + 1
        self.names[command] = count
        return f"{command}.json" if count == 1 else f"{command}~{count}.json"

    def call(self, command, arguments=None, extra=None):
        """Send one command with a fresh id; the record of the exchange."""
        request = {"execute": command}
        if arguments is not None:
            request["arguments"] = arguments
        request["id"] = f"c{self.next_id}"
        self.next_id += 1
        raw = json.dumps(request)
        events = []
        sent = time.monotonic()
        self.qmp.send(raw)
        while True:
            got = self.qmp.read(REPLY_TIMEOUT)
            if got is None:
                fail(f"no reply to {raw} within {REPLY_TIMEOUT:.0f} s")
            reply_raw, reply = got
            if "event" in reply:
                events.append(reply)
            elif reply.get("id") == request["id"]:
                break
            else:
                print(f"record-corpus: warning: stray message {reply_raw}", file=sys.stderr)
        record = {
            "request": request,
            "request_raw": raw,
            "response": reply,
            "response_raw": reply_raw,
            "events_during": events,
            "elapsed_ms": round((time.monotonic() - sent) * 1000, 3),
        }
        record.update(extra or {})
        return record

    def save(self, record, note=None):
        if note is not None:
            record["note"] = note
        name = self.file_name(record["request"]["execute"])
        write_json(os.path.join(self.out, name), record)
        self.files[name] = record
        return name

    def error_case(self, case, record):
        error = record["response"].get("error")
        record["case"] = case
        record["class"] = error["class"] if error else None
        record["desc"] = error["desc"] if error else None
        self.errors.append(record)

    def bad_request(self, case, raw):
        """Send a raw line; QEMU may answer it with several replies."""
        events, replies = [], []
        self.qmp.send(raw)
        timeout = REPLY_TIMEOUT
        while True:
            got = self.qmp.read(timeout)
            if got is None:
                break
            if "event" in got[1]:
                events.append(got[1])
            else:
                replies.append(got)
                timeout = FURTHER_REPLIES
        if not replies:
            fail(f"no reply to {raw!r}")
        record = {"request_raw": raw, "response": replies[0][1],
                  "response_raw": replies[0][0], "events_during": events}
        if len(replies) > 1:
            record["further_responses"] = [r[1] for r in replies[1:]]
            record["further_responses_raw"] = [r[0] for r in replies[1:]]
        self.error_case(case, record)

    def listen(self, record, wait):
        """Collect events after a reply: the awaited ones, then SETTLE more."""
        seen = list(record["events_during"])
        pending = list(wait) if "return" in record["response"] else []

        def match(event):
            for i, want in enumerate(pending):
                if isinstance(want, str):
                    ok = event["event"] == want
                else:
                    name, member, values = want
                    ok = (event["event"] == name
                          and event.get("data", {}).get(member) in values)
                if ok:
                    del pending[i]
                    return

        for event in seen:
            match(event)
        deadline = time.monotonic() + EVENT_TIMEOUT
        while pending and time.monotonic() < deadline:
            got = self.qmp.read(deadline - time.monotonic())
            if got and "event" in got[1]:
                seen.append(got[1])
                match(got[1])
        if pending:
            print(f"record-corpus: warning: {record['request']['execute']}: "
                  f"no {pending} within {EVENT_TIMEOUT:.0f} s", file=sys.stderr)
        settle = time.monotonic() + SETTLE
        while time.monotonic() < settle:
            got = self.qmp.read(settle - time.monotonic())
            if got and "event" in got[1]:
                seen.append(got[1])
        record["events_after"] = seen


# --- Checking replies and events against the schema (query-qmp-schema) ----

CATEGORIES = ["type_mismatch", "enum_unknown", "unknown_members", "missing_required",
              "optional_present", "optional_absent"]
PROBLEMS = CATEGORIES[:4]


def json_kind(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "object" if isinstance(value, dict) else "array"


class Report:
    """What one reply (or all events of one name) showed: problems, and which
    optional members were present somewhere or absent everywhere."""

    def __init__(self):
        self.lists = {c: [] for c in PROBLEMS}
        self.present, self.absent = set(), set()

    def result(self):
        result = {c: sorted(set(self.lists[c])) for c in PROBLEMS}
        result["optional_present"] = sorted(self.present)
        result["optional_absent"] = sorted(self.absent - self.present)
        return result


class Validator:
    def __init__(self, schema):
        self.types = {entity["name"]: entity for entity in schema}

    def kind_fits(self, value, type_name):
        entity = self.types[type_name]
        meta, kind = entity["meta-type"], json_kind(value)
        if meta == "builtin":
            want = entity["json-type"]
            return (want == "value" or want == kind
                    or (want == "number" and kind == "int"))
        if meta == "enum":
            return kind == "string"
        return kind == {"array": "array", "object": "object"}.get(meta, kind)

    def check(self, value, type_name, path, report):
        entity = self.types.get(type_name)
        if entity is None:
            report.lists["type_mismatch"].append(f"{path}: unknown type {type_name}")
            return
        meta = entity["meta-type"]
        if meta == "alternate":
            for member in entity["members"]:
                if self.kind_fits(value, member["type"]):
                    self.check(value, member["type"], path, report)
                    return
            report.lists["type_mismatch"].append(
                f"{path}: {json_kind(value)} fits no branch of alternate {type_name}")
            return
        if not self.kind_fits(value, type_name):
            want = entity.get("json-type", meta)
            report.lists["type_mismatch"].append(
                f"{path}: expected {want}, got {json_kind(value)}")
            return
        if meta == "enum":
            if value not in entity["values"]:
                report.lists["enum_unknown"].append(f"{path}: {value}")
        elif meta == "array":
            for element in value:
                self.check(element, entity["element-type"], path + "[]", report)
        elif meta == "object":
            members = self.members(entity, value)
            for member in members:
                name, sub = member["name"], f"{path}.{member['name']}"
                optional = "default" in member
                if name in value:
                    if optional:
                        report.present.add(sub)
                    self.check(value[name], member["type"], sub, report)
                elif optional:
                    report.absent.add(sub)
                else:
                    report.lists["missing_required"].append(sub)
            known = {member["name"] for member in members}
            report.lists["unknown_members"].extend(
                f"{path}.{name}" for name in value if name not in known)

    def members(self, entity, value):
        """An object's members, with those of the variant its tag selects."""
        members = list(entity.get("members", []))
        tag = entity.get("tag")
        if tag is not None:
            for variant in entity.get("variants", []):
                if variant["case"] == value.get(tag):
                    members += self.members(self.types[variant["type"]], value)
        return members


def validate(schema, files, events):
    validator = Validator(schema)
    commands = {e["name"]: e for e in schema if e["meta-type"] == "command"}
    event_types = {e["name"]: e for e in schema if e["meta-type"] == "event"}
    result = {"commands": {}, "events": {}, "problems": {}}
    for name in sorted(files):
        record = files[name]
        command = commands.get(record["request"]["execute"])
        if name == "schema.json" or "return" not in record["response"] or command is None:
            continue
        report = Report()
        validator.check(record["response"]["return"], command["ret-type"], "return", report)
        result["commands"][name] = report.result()
    reports = {}
    for event in events:
        entity = event_types.get(event["event"])
        if entity is None:
            continue
        report = reports.setdefault(event["event"], Report())
        validator.check(event.get("data", {}), entity["arg-type"], "data", report)
    result["events"] = {name: report.result() for name, report in reports.items()}
    for group in ("commands", "events"):
        for name, report in result[group].items():
            problems = {c: report[c] for c in PROBLEMS if report[c]}
            if problems:
                result["problems"][name] = problems
    return result


# --- One recording ---------------------------------------------------------

def argless_commands(schema):
    types = {e["name"]: e for e in schema}
    argless = []
    for entity in schema:
        if entity["meta-type"] != "command":
            continue
        members = types[entity["arg-type"]].get("members", [])
        if all("default" in m for m in members):
            argless.append({
                "name": entity["name"],
                "arg-type": entity["arg-type"],
                "optional-args": [m["name"] for m in members],
                "ret-type": entity["ret-type"],
                "allow-oob": entity.get("allow-oob", False),
                "features": entity.get("features", []),
            })
    return sorted(argless, key=lambda c: c["name"])


def status_of(record):
    error = record["response"].get("error")
    return ("error" if error else "ok"), error


def record_machine(args, out, work, machine):
    os.makedirs(out, exist_ok=True)
    os.mkdir(work)  # fails if it exists: never reuse someone's directory
    stderr_path = os.path.join(work, "qemu.stderr")
    qemu = None
    try:
        if machine == "q35":
            for image in ("disk0.qcow2", "backup.qcow2"):
                run([args.qemu_img, "create", "-q", "-f", "qcow2",
                     os.path.join(work, image), "64M"])
            with open(os.path.join(work, "media.raw"), "wb") as media:
                media.truncate(1 << 20)
            command_line = q35_command_line(work)
            actions = q35_actions(work)
        else:
            command_line = none_command_line(work)
            actions = none_actions(work)
        with open(stderr_path, "wb") as stderr:
            qemu = subprocess.Popen([args.qemu] + command_line, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=stderr)
        qmp = connect(qemu, os.path.join(work, "qmp.sock"), stderr_path)
        return record_session(qmp, out, actions, oob=(machine == "none"))
    finally:
        if qemu is not None:
            qemu.kill()
            qemu.wait()
        shutil.rmtree(work, ignore_errors=True)


def run(argv):
    result = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr.strip()}")


def connect(qemu, path, stderr_path):
    deadline = time.monotonic() + 30
    while not os.path.exists(path):
        if qemu.poll() is not None:
            with open(stderr_path, errors="replace") as stderr:
                fail(f"QEMU exited at start ({qemu.returncode}):\n{stderr.read()}")
        if time.monotonic() > deadline:
            fail("QEMU did not create its QMP socket within 30 s")
        time.sleep(0.02)
    return Qmp(path, deadline)


def record_session(qmp, out, actions, oob):
    rec = Recorder(qmp, out)
    got = qmp.read(REPLY_TIMEOUT)
    if got is None or "QMP" not in got[1]:
        fail("no QMP greeting")
    greeting = {"raw": got[0], "parsed": got[1],
                "connect_to_greeting_ms": round((time.monotonic() - qmp.connected) * 1000, 3)}
    write_json(os.path.join(out, "greeting.json"), greeting)

    rec.error_case("command before qmp_capabilities", rec.call("query-status"))
    if oob:
        rec.save(rec.call("qmp_capabilities", {"enable": ["oob"]}),
                 note="negotiated with enable:[oob]")
    else:
        rec.save(rec.call("qmp_capabilities"))
    rec.error_case("qmp_capabilities twice", rec.call("qmp_capabilities"))

    schema_record = rec.call("query-qmp-schema")
    rec.save(schema_record)
    schema = schema_record["response"]["return"]
    in_schema = {e["name"] for e in schema if e["meta-type"] == "command"}
    done = {"query-qmp-schema": schema_record}
    for command in INTROSPECTION:
        note = None if command in in_schema else \
            "not in query-qmp-schema; sent anyway to record the reply"
        done[command] = rec.call(command)
        rec.save(done[command], note=note)
    argless = argless_commands(schema)
    write_json(os.path.join(out, "argless-commands.json"), argless)
    queries = [c["name"] for c in argless
               if c["name"].startswith(("query-", "x-query-"))]
    for command in queries:
        if command not in done:
            done[command] = rec.call(command)
            rec.save(done[command])

    actions_summary = []
    for action in actions:
        record = rec.call(action.command, action.arguments)
        rec.listen(record, action.wait)
        name = rec.save(record, note=action.note)
        status, error = status_of(record)
        actions_summary.append({"file": name, "status": status, "error": error,
                                "events": [e["event"] for e in record["events_after"]]})

    for case, raw in BAD_REQUESTS + (OOB_REQUESTS if oob else []):
        rec.bad_request(case, raw)
    rec.error_case("query-status right after the malformed inputs (parser recovered?)",
                   rec.call("query-status"))
    write_json(os.path.join(out, "errors.json"), rec.errors)

    with open(os.path.join(out, "events.jsonl"), "w", encoding="ascii") as events:
        events.writelines(raw + "\n" for raw in qmp.events_raw)

    validation = validate(schema, rec.files, qmp.events)
    write_json(os.path.join(out, "validation.json"), validation)

    calls = []
    for command in sorted(queries):
        status, error = status_of(done[command])
        calls.append({"name": command, "status": status, "error": error,
                      "elapsed_ms": done[command]["elapsed_ms"]})
    seen = {}
    for event in qmp.events:
        seen[event["event"]] = seen.get(event["event"], 0) + 1
    summary = {
        "greeting_version": greeting["parsed"]["QMP"]["version"],
        "schema_entities": len(schema),
        "schema_commands": sum(e["meta-type"] == "command" for e in schema),
        "schema_events": sum(e["meta-type"] == "event" for e in schema),
        "introspection_calls": {c: status_of(done[c])[0] for c in INTROSPECTION},
        "argless_commands": len(argless),
        "argless_query_commands_called": len(queries),
        "argless_query_ok": sum(c["status"] == "ok" for c in calls),
        "argless_query_error": [{"name": c["name"], "error": c["error"]}
                                for c in calls if c["status"] == "error"],
        "argless_query_calls": calls,
        "actions": actions_summary,
        "events_seen": seen,
        "errors_recorded": len(rec.errors),
        "validation_problems": validation["problems"],
    }
    write_json(os.path.join(out, "summary.json"), summary)
    return summary


def main():
    parser = argparse.ArgumentParser(
        description="Record a QMP corpus from a real QEMU (see the module docstring).")
    parser.add_argument("out", help="output directory (machine-none/ goes inside)")
    parser.add_argument("--qemu", default="qemu-system-x86_64",
                        help="the QEMU to record (default: qemu-system-x86_64)")
    parser.add_argument("--qemu-img", default="qemu-img",
                        help="qemu-img for the images (default: qemu-img)")
    parser.add_argument("--workdir", default="/tmp/qmp-peer",
                        help="QEMU's files, created and removed (default: /tmp/qmp-peer; "
                             "/tmp/qmp-peer-none for the second run)")
    args = parser.parse_args()
    for program in (args.qemu, args.qemu_img):
        if shutil.which(program) is None:
            fail(f"{program} not found (scripts/install-qemu.sh or scripts/install-qemu-11.sh)")
    for work in (args.workdir, args.workdir + "-none"):
        if os.path.exists(work):
            fail(f"{work} exists (another recording running, or left over): remove it")
    out = os.path.abspath(args.out)
    for directory, work, machine in ((out, args.workdir, "q35"),
                                     (os.path.join(out, "machine-none"),
                                      args.workdir + "-none", "none")):
        summary = record_machine(args, directory, work, machine)
        problems = len(summary["validation_problems"])
        print(f"{directory}: {len(os.listdir(directory))} files, "
              f"{sum(summary['events_seen'].values())} events, "
              f"{summary['errors_recorded']} bad requests, "
              f"{problems} replies or events not matching the schema")


if __name__ == "__main__":
    main()
