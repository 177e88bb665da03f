#!/usr/bin/env python3
"""Drive an interactive command through a real pseudo-terminal, as a person at a keyboard would.

usage: pty_drive.py DIALOGUE.json -- COMMAND ARGS...

DIALOGUE is a JSON list of [expect, reply] pairs: wait until `expect` appears in the terminal
output, then type `reply` and Enter. Prints everything the terminal showed; exits with the
command's exit code (or 124 if an expected prompt never came within 60 s).
"""
import json
import os
import pty
import select
import sys
import time


def main() -> int:
    sep = sys.argv.index("--")
    dialogue = json.load(open(sys.argv[1]))
    argv = sys.argv[sep + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    seen = b""
    cursor = 0

    def read_some(timeout: float) -> str:
        nonlocal seen
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return "timeout"
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return "eof"
        if not chunk:
            return "eof"
        seen += chunk
        return "data"

    state = "data"
    for expect, reply in dialogue:
        deadline = time.time() + 60
        while state != "eof" and expect.encode() not in seen[cursor:]:
            if time.time() > deadline:
                sys.stdout.write(seen.decode(errors="replace"))
                sys.stdout.write(f"\n[pty_drive: never saw {expect!r}]\n")
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                return 124
            state = read_some(0.5)
        if state == "eof":
            break  # the command ended before this prompt: its exit code tells why
        cursor = seen.index(expect.encode(), cursor) + len(expect)
        os.write(fd, reply.encode() + b"\r")
    while state != "eof" and state != "timeout":
        state = read_some(60)
    if state == "timeout":
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(seen.decode(errors="replace"))
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
