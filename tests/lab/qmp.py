#!/usr/bin/env python3
"""QMP client of the crash lab: starts a guest QEMU left paused (-S), records
every event QEMU sends, verbatim, one per line, and in dump mode takes QEMU's
own memory dumps once the guest has panicked.

  qmp.py record SOCKET EVENTS QEMU_PID TIMEOUT
      continue the guest; record events until QEMU closes the socket.
  qmp.py dump SOCKET EVENTS QEMU_PID TIMEOUT ELF_PATH [KDUMP_ZLIB_PATH]
      continue the guest; on GUEST_PANICKED run dump-guest-memory (paging off)
      into ELF_PATH, then in kdump-zlib format, wait for DUMP_COMPLETED, quit.

Progress goes to stdout as "qmp: ..." lines; the exit status says what went
wrong (see the Exit table) so the caller can name the failed stage.
Standard library only.
"""
import json
import os
import socket
import sys
import time


class Exit:
    OK = 0
    USAGE = 2
    NO_SOCKET = 3    # QEMU never opened its QMP socket
    NO_PANIC = 4     # QEMU went away (or time ran out) before GUEST_PANICKED
    DUMP_FAILED = 5  # dump-guest-memory returned an error or never completed
    TIMEOUT = 6      # time ran out in record mode


def log(msg):
    print(f"qmp: {msg}", flush=True)


class Qmp:
    def __init__(self, path, events_path, qemu_pid, deadline):
        self.qemu_pid = qemu_pid
        self.deadline = deadline
        self.sock = self._connect(path)
        self.buf = b""
        self.events = open(events_path, "a", encoding="utf-8")
        self.seen = []
        self.next_id = 0

    def _connect(self, path):
        while time.monotonic() < self.deadline:
            if not self.qemu_alive():
                break
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                return s
            except OSError:
                s.close()
                time.sleep(0.05)
        log(f"cannot connect to {path}")
        sys.exit(Exit.NO_SOCKET)

    def qemu_alive(self):
        try:
            os.kill(self.qemu_pid, 0)
            return True
        except ProcessLookupError:
            return False

    def read_message(self):
        """The next JSON message, or None at end of stream or deadline."""
        while b"\n" not in self.buf:
            left = self.deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(min(left, 1.0))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return None
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        text = line.decode("utf-8").rstrip("\r")
        msg = json.loads(text)
        if "event" in msg:
            self.events.write(text + "\n")
            self.events.flush()
            self.seen.append(msg["event"])
            log(f"event {msg['event']} {json.dumps(msg.get('data', {}))}")
        return msg

    def command(self, name, **args):
        """Runs a command; returns (True, return value) or (False, error)."""
        self.next_id += 1
        req = {"execute": name, "id": self.next_id}
        if args:
            req["arguments"] = args
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        while True:
            msg = self.read_message()
            if msg is None:
                return False, f"no answer to {name}"
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    return False, msg["error"].get("desc", str(msg["error"]))
                return True, msg.get("return")

    def wait_event(self, name):
        """Reads until the named event; False at end of stream or deadline."""
        while name not in self.seen:
            if self.read_message() is None:
                return False
        return True


def dump(q, fmt, path):
    """One dump-guest-memory run, waited for until DUMP_COMPLETED."""
    start = time.monotonic()
    q.seen = [e for e in q.seen if e != "DUMP_COMPLETED"]
    ok, err = q.command("dump-guest-memory", paging=False, protocol=f"file:{path}",
                        format=fmt)
    if not ok:
        log(f"dump-guest-memory {fmt} failed: {err}")
        sys.exit(Exit.DUMP_FAILED)
    if not q.wait_event("DUMP_COMPLETED"):
        log(f"no DUMP_COMPLETED after dump-guest-memory {fmt}")
        sys.exit(Exit.DUMP_FAILED)
    log(f"dump {fmt} done in {time.monotonic() - start:.1f} s: {os.path.getsize(path)} bytes")


def main(argv):
    if len(argv) < 6 or argv[1] not in ("record", "dump") or (argv[1] == "dump" and len(argv) < 7):
        print(__doc__, file=sys.stderr)
        return Exit.USAGE
    mode, sock, events, pid, timeout = argv[1], argv[2], argv[3], int(argv[4]), float(argv[5])
    q = Qmp(sock, events, pid, time.monotonic() + timeout)
    greeting = q.read_message()
    if greeting is None or "QMP" not in greeting:
        log("no QMP greeting")
        return Exit.NO_SOCKET
    for name in ("qmp_capabilities", "cont"):
        ok, err = q.command(name)
        if not ok:
            log(f"{name} failed: {err}")
            return Exit.NO_SOCKET
    log("guest started")

    if mode == "record":
        while q.read_message() is not None:
            pass
        if time.monotonic() >= q.deadline:
            log("time ran out")
            return Exit.TIMEOUT
        log("QEMU closed the connection")
        return Exit.OK

    if not q.wait_event("GUEST_PANICKED"):
        log("no GUEST_PANICKED event")
        return Exit.NO_PANIC
    dump(q, "elf", argv[6])
    if len(argv) > 7:
        dump(q, "kdump-zlib", argv[7])
    q.command("quit")
    while q.read_message() is not None:
        pass
    return Exit.OK


if __name__ == "__main__":
    sys.exit(main(sys.argv))
