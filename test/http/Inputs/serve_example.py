"""Runs an HTTP example in --serve mode and talks to it over real sockets.

usage: serve_example.py SCENARIO EXAMPLE

Starts `EXAMPLE --serve 127.0.0.1:0`, reads "listening on 127.0.0.1:PORT",
plays SCENARIO (users | chat) with Python's http.client and raw sockets from
several threads at once, sends SIGINT, and prints what it saw and the
server's own output, for FileCheck. Every socket and the wait for the process
have generous timeouts: a hung server fails the test instead of hanging it.
"""
import concurrent.futures
import http.client
import signal
import socket
import subprocess
import sys

TIMEOUT = 60


def request(port, method, target, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    conn.request(method, target, body=body)
    resp = conn.getresponse()
    data = resp.read().decode()
    conn.close()
    return resp.status, data


def users(port):
    # Many clients at once: every answer is the same full list.
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: request(port, "GET", "/users"), range(64)))
    statuses = {s for s, _ in answers}
    bodies = {b for _, b in answers}
    print("64 concurrent GET /users: statuses %s, %d distinct bodies" % (sorted(statuses), len(bodies)))
    print("GET /users/4 ->", *request(port, "GET", "/users/4"), end="")
    print("GET /users/x ->", *request(port, "GET", "/users/x"), end="")
    # Keep-alive: several requests on one connection.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    for i in range(3):
        conn.request("GET", "/users/%d" % (i + 1))
        resp = conn.getresponse()
        print("keep-alive #%d -> %d %s" % (i, resp.status, resp.read().decode()), end="")
    conn.close()


def chat(port):
    stream = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    stream.sendall(b"GET /events?user=eve HTTP/1.1\r\nHost: x\r\n\r\n")
    seen = b""

    def wait_for(text):
        nonlocal seen
        while text not in seen:
            chunk = stream.recv(4096)
            if not chunk:
                return False
            seen += chunk
        return True

    print("eve joined:", wait_for(b"[system] eve joined\n"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        posts = list(pool.map(
            lambda i: request(port, "POST", "/send?user=u%d" % i, body="message %d" % i), range(8)))
    print("8 concurrent posts:", sorted({s for s, _ in posts}))
    print("eve got all 8:", all(wait_for(b"[u%d] message %d\n" % (i, i)) for i in range(8)))
    print("GET /send ->", *request(port, "GET", "/send?user=x"), end="")
    print("GET /stats ->", *request(port, "GET", "/stats"), end="")
    return stream  # still open when the server is told to stop


def main():
    scenario, example = sys.argv[1], sys.argv[2]
    proc = subprocess.Popen([example, "--serve", "127.0.0.1:0"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    first = proc.stdout.readline()
    print("server:", first, end="")
    port = int(first.rsplit(":", 1)[1])
    keep = {"users": users, "chat": chat}[scenario](port)
    proc.send_signal(signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        print("server did not stop")
    if keep is not None:
        rest = b""
        while True:
            chunk = keep.recv(4096)
            if not chunk:
                break
            rest += chunk
        print("open stream ended with the last chunk:", rest.endswith(b"0\r\n\r\n"))
    print(out, end="")
    print("exit status:", proc.returncode)


main()
