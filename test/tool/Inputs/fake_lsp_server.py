#!/usr/bin/env python3
"""A language server that misbehaves on purpose, to test lsp_client.py.

    fake_lsp_server.py MODE

MODE:
  silent          reads its input and never answers
  exit-N          exits at once with status N
  garbage         writes a line that is not an LSP header
  no-diagnostics  answers initialize and shutdown, never publishes diagnostics
  error           answers initialize with an error
  bad-exit        a good session, but exits with status 4 after `exit`
"""
import json
import sys


def read():
    length = None
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            sys.exit(0)
        line = line.strip()
        if not line:
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(sys.stdin.buffer.read(length))


def write(message):
    body = json.dumps(message).encode("utf-8")
    sys.stdout.buffer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    sys.stdout.buffer.flush()


mode = sys.argv[1]
if mode.startswith("exit-"):
    sys.exit(int(mode[len("exit-"):]))
if mode == "garbage":
    sys.stdout.write("hello\n")
    sys.stdout.flush()
while True:
    message = read()
    if mode in ("silent", "garbage"):
        continue
    method = message.get("method")
    if method == "initialize" and mode == "error":
        write({"jsonrpc": "2.0", "id": message["id"],
               "error": {"code": -32603, "message": "no workspace"}})
    elif method == "initialize":
        write({"jsonrpc": "2.0", "id": message["id"], "result": {"capabilities": {}}})
    elif method == "textDocument/didOpen" and mode == "bad-exit":
        write({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": {
            "uri": message["params"]["textDocument"]["uri"], "version": 1, "diagnostics": []}})
    elif method == "shutdown":
        write({"jsonrpc": "2.0", "id": message["id"], "result": None})
    elif method == "exit":
        sys.exit(4 if mode == "bad-exit" else 0)
