#!/usr/bin/env python3
"""A minimal LSP client: drives a language server over stdio as an editor does.

    lsp_client.py [--timeout SECONDS] --open FILE [--open FILE...] SERVER [SERVER ARGS...]

Starts SERVER, sends `initialize` and `initialized`, opens each FILE with
`textDocument/didOpen` (its text as on disk, language `cpp`), waits for the
server's `textDocument/publishDiagnostics` for every opened file, prints each
diagnostic on one line, then shuts the server down (`shutdown`, `exit`) and
checks that it exits with status 0. Output, one line per diagnostic, sorted:

    FILE:LINE:COL: SEVERITY: MESSAGE [CODE] (SOURCE)
        related FILE:LINE:COL: MESSAGE

(FILE is the file's name without its directory; LINE and COL 1-based, as a
compiler prints them.) A file without diagnostics prints nothing; the last
line is `lsp_client: N files, M diagnostics` so that a test can tell "no
diagnostics" from "no answer".

Never hangs: the whole session (start to exit) must end within --timeout
seconds, a bound against a hung server, not a measurement. Otherwise, or if
the server dies, writes something that is not LSP, answers a request with an
error, or exits with a non-zero status, it prints `lsp_client: error: WHY`
(saying what it was waiting for) on stderr, kills the server, and exits 1.
The server's stderr (its log) goes to this script's stderr.
"""

import argparse
import json
import os
import pathlib
import queue
import subprocess
import sys
import threading
import time
import urllib.parse

SEVERITY = {1: "error", 2: "warning", 3: "information", 4: "hint"}


class ProtocolError(Exception):
    pass


class Server:
    def __init__(self, argv):
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=sys.stderr)
        except OSError as e:
            fail("cannot start %s: %s" % (argv[0], e.strerror))
        self.messages = queue.Queue()
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        # Everything the reader learns, including its own failure, goes into
        # the queue: the main thread never waits on a dead reader.
        try:
            while True:
                message = self._read_one()
                self.messages.put(message)
                if message is None:
                    return
        except (ProtocolError, ValueError, UnicodeDecodeError) as e:
            self.messages.put({"lsp_client_error": str(e)})

    def _read_one(self):
        stream = self.proc.stdout
        length = None
        while True:
            line = stream.readline()
            if not line:
                return None  # the server closed its output
            line = line.strip()
            if not line:
                break
            name, colon, value = line.decode("ascii").partition(":")
            if not colon:
                raise ProtocolError("the server wrote a line that is not an LSP header: %r" % line)
            if name.strip().lower() == "content-length":
                length = int(value)
        if length is None:
            raise ProtocolError("the server sent a message without Content-Length")
        body = stream.read(length)
        if len(body) < length:
            return None
        return json.loads(body)

    def send(self, message):
        body = json.dumps(message).encode("utf-8")
        try:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()
        except BrokenPipeError:
            fail("the server exited (status %s) before reading %s"
                 % (self.proc.wait(), message.get("method", "an answer")))

    def request(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return rid

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def answer(self, message):
        # Requests from the server (e.g. window/workDoneProgress/create) need a reply.
        self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})


SERVER = None
DEADLINE = None
TIMEOUT = None


def fail(why):
    print("lsp_client: error: " + why, file=sys.stderr)
    if SERVER is not None and SERVER.proc.poll() is None:
        SERVER.proc.kill()
        SERVER.proc.wait()
    sys.exit(1)


def next_message(waiting_for):
    """The server's next message; fails, naming `waiting_for`, at the deadline."""
    left = DEADLINE - time.monotonic()
    try:
        if left <= 0:
            raise queue.Empty
        message = SERVER.messages.get(timeout=left)
    except queue.Empty:
        fail("timed out after %gs waiting for %s" % (TIMEOUT, waiting_for))
    if message is None:
        fail("the server exited (status %s) while we waited for %s"
             % (SERVER.proc.wait(), waiting_for))
    if "lsp_client_error" in message:
        fail(message["lsp_client_error"])
    if "error" in message and "id" in message:
        fail("error answer while waiting for %s: %s" % (waiting_for, json.dumps(message["error"])))
    return message


def uri_path(uri):
    return pathlib.Path(urllib.parse.unquote(urllib.parse.urlparse(uri).path))


def main():
    global SERVER, DEADLINE, TIMEOUT
    parser = argparse.ArgumentParser(usage=__doc__.splitlines()[2].strip(), allow_abbrev=False)
    parser.add_argument("--open", action="append", required=True, help="file to open")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="bound on the whole session, in seconds")
    args, server_argv = parser.parse_known_args()
    if not server_argv:
        fail("no server command")
    TIMEOUT = args.timeout
    DEADLINE = time.monotonic() + args.timeout

    files = [pathlib.Path(f).resolve() for f in args.open]
    for f in files:
        if not f.is_file():
            fail("--open %s: no such file" % f)
    uris = {f.as_uri(): f for f in files}
    root = os.path.commonpath([str(f.parent) for f in files])

    SERVER = Server(server_argv)
    init_id = SERVER.request("initialize", {
        "processId": os.getpid(),
        "rootUri": pathlib.Path(root).as_uri(),
        "capabilities": {"textDocument": {"publishDiagnostics": {"relatedInformation": True}}},
    })

    diagnostics = {}
    initialized = False
    while len(diagnostics) < len(uris):
        if initialized:
            missing = sorted(uris[u].name for u in uris if u not in diagnostics)
            waiting_for = "publishDiagnostics for " + ", ".join(missing)
        else:
            waiting_for = "the answer to initialize"
        message = next_message(waiting_for)
        if message.get("id") == init_id and "result" in message:
            SERVER.notify("initialized", {})
            for uri, path in uris.items():
                SERVER.notify("textDocument/didOpen", {"textDocument": {
                    "uri": uri, "languageId": "cpp", "version": 1,
                    "text": path.read_text(encoding="utf-8")}})
            initialized = True
        elif "method" in message and "id" in message:
            SERVER.answer(message)
        elif message.get("method") == "textDocument/publishDiagnostics" and initialized:
            params = message["params"]
            if params["uri"] in uris and params.get("version", 1) == 1:
                diagnostics[params["uri"]] = params["diagnostics"]

    lines = []
    for uri, diags in diagnostics.items():
        name = uris[uri].name
        for d in diags:
            start = d["range"]["start"]
            line = "%s:%d:%d: %s: %s [%s] (%s)" % (
                name, start["line"] + 1, start["character"] + 1,
                SEVERITY.get(d.get("severity"), "?"), d["message"].replace("\n", " | "),
                d.get("code", ""), d.get("source", ""))
            for r in d.get("relatedInformation", []):
                where = r["location"]
                rstart = where["range"]["start"]
                line += "\n    related %s:%d:%d: %s" % (
                    uri_path(where["uri"]).name, rstart["line"] + 1, rstart["character"] + 1,
                    r["message"])
            lines.append(line)
    for line in sorted(lines):
        print(line)
    print("lsp_client: %d files, %d diagnostics"
          % (len(diagnostics), sum(len(d) for d in diagnostics.values())))
    sys.stdout.flush()

    shutdown_id = SERVER.request("shutdown", None)
    while True:
        message = next_message("the answer to shutdown")
        if message.get("id") == shutdown_id:
            break
        if "method" in message and "id" in message:
            SERVER.answer(message)
    SERVER.notify("exit", None)
    SERVER.proc.stdin.close()
    try:
        status = SERVER.proc.wait(timeout=max(0.0, DEADLINE - time.monotonic()))
    except subprocess.TimeoutExpired:
        fail("timed out after %gs waiting for the server to exit after `exit`" % TIMEOUT)
    if status != 0:
        fail("the server exited with status %d after `exit`" % status)


if __name__ == "__main__":
    main()
