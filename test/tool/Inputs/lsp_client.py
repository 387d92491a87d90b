#!/usr/bin/env python3
"""A minimal LSP client: drives a language server over stdio as an editor does.

    lsp_client.py SERVER [SERVER ARGS...] --open FILE [--open FILE...]

Starts SERVER, sends `initialize` and `initialized`, opens each FILE with
`textDocument/didOpen` (its text as on disk, language `cpp`), waits for the
server's `textDocument/publishDiagnostics` for every opened file, prints each
diagnostic on one line, then shuts the server down (`shutdown`, `exit`) and
checks that it exits with status 0. Output, one line per diagnostic, sorted:

    FILE:LINE:COL: SEVERITY: MESSAGE [CODE] (SOURCE)
        related FILE:LINE:COL: MESSAGE

(LINE and COL 1-based, as a compiler prints them.) Exits non-zero, saying
why, if the server dies, answers with an error, or does not publish
diagnostics for every file within --timeout seconds (a bound against a hung
server, not a measurement).
"""

import argparse
import json
import os
import pathlib
import queue
import subprocess
import sys
import threading

SEVERITY = {1: "error", 2: "warning", 3: "information", 4: "hint"}


class Server:
    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=sys.stderr)
        self.messages = queue.Queue()
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)  # the server closed its output
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                self.messages.put({"error": "message without Content-Length"})
                return
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message):
        body = json.dumps(message).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

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


def fail(why):
    print("lsp_client: " + why, file=sys.stderr)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", action="append", required=True, help="file to open")
    parser.add_argument("--timeout", type=float, default=300.0)
    args, server_argv = parser.parse_known_args()
    if not server_argv:
        fail("no server command")

    files = [pathlib.Path(f).resolve() for f in args.open]
    uris = {f.as_uri(): f for f in files}
    root = os.path.commonpath([str(f.parent) for f in files])

    server = Server(server_argv)
    init_id = server.request("initialize", {
        "processId": os.getpid(),
        "rootUri": pathlib.Path(root).as_uri(),
        "capabilities": {"textDocument": {"publishDiagnostics": {"relatedInformation": True}}},
    })

    diagnostics = {}
    initialized = False
    while len(diagnostics) < len(uris):
        try:
            message = server.messages.get(timeout=args.timeout)
        except queue.Empty:
            missing = sorted(str(uris[u]) for u in uris if u not in diagnostics)
            fail("no diagnostics within %gs for %s" % (args.timeout, ", ".join(missing)))
        if message is None:
            fail("the server exited (status %s)" % server.proc.wait())
        if "error" in message and "id" in message:
            fail("error answer: " + json.dumps(message["error"]))
        if message.get("id") == init_id and "result" in message:
            server.notify("initialized", {})
            for uri, path in uris.items():
                server.notify("textDocument/didOpen", {"textDocument": {
                    "uri": uri, "languageId": "cpp", "version": 1,
                    "text": path.read_text(encoding="utf-8")}})
            initialized = True
        elif "method" in message and "id" in message:
            server.answer(message)
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
                rpath = pathlib.Path(where["uri"].replace("file://", "", 1)).name
                rstart = where["range"]["start"]
                line += "\n    related %s:%d:%d: %s" % (
                    rpath, rstart["line"] + 1, rstart["character"] + 1, r["message"])
            lines.append(line)
    for line in sorted(lines):
        print(line)
    sys.stdout.flush()

    shutdown_id = server.request("shutdown", None)
    while True:
        try:
            message = server.messages.get(timeout=args.timeout)
        except queue.Empty:
            fail("no answer to shutdown within %gs" % args.timeout)
        if message is None or message.get("id") == shutdown_id:
            break
        if "method" in message and "id" in message:
            server.answer(message)
    server.notify("exit", None)
    server.proc.stdin.close()
    try:
        status = server.proc.wait(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        fail("the server did not exit after `exit`")
    if status != 0:
        fail("the server exited with status %d" % status)


if __name__ == "__main__":
    main()
