#!/usr/bin/env python3
"""Runs the footprint firmware's `measure` build under QEMU and prints the pin path's stack use.

The firmware paints 4 KiB of stack below its frame, runs the pin path, prints where the paint
lies, and spins. This script then dumps that RAM through QEMU's monitor (`pmemsave`) and finds
the lowest byte the path changed: used = anchor - lowest changed address (a slight over-count:
it includes part of the caller's own frame).

usage: measure-stack.py ELF MACHINE   (MACHINE: mps2-an386 | riscv-virt)
prints: stack_bytes=N
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

PATTERN = 0xA5


def main():
    elf, machine = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="certpin-stack-")
    mon = os.path.join(tmp, "monitor.sock")
    dump = os.path.join(tmp, "stack.bin")
    if machine == "mps2-an386":
        cmd = ["qemu-system-arm", "-machine", "mps2-an386"]
    elif machine == "riscv-virt":
        cmd = ["qemu-system-riscv32", "-machine", "virt", "-bios", "none"]
    else:
        sys.exit(f"unknown machine {machine}")
    cmd += ["-nographic", "-serial", "none", "-semihosting-config", "enable=on,target=native",
            "-kernel", elf, "-monitor", f"unix:{mon},server=on,wait=off"]
    qemu = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = qemu.stdout.readline()
        m = re.search(r"anchor=0x([0-9a-f]+) painted_from=0x([0-9a-f]+) paint=(\d+) accepted=(\w+)", line)
        if not m:
            sys.exit(f"measure firmware did not report: {line!r}")
        anchor, start, size = int(m[1], 16), int(m[2], 16), int(m[3])
        if m[4] != "true":
            sys.exit("the pin path rejected its own pinned certificate")
        conn = socket.socket(socket.AF_UNIX)
        conn.connect(mon)
        conn.settimeout(10)
        read_until(conn, b"(qemu)")
        conn.sendall(f'pmemsave {start:#x} {size} "{dump}"\n'.encode())
        read_until(conn, b"(qemu)")
        deadline = time.time() + 10
        while not (os.path.exists(dump) and os.path.getsize(dump) == size):
            if time.time() > deadline:
                sys.exit("QEMU did not write the memory dump")
            time.sleep(0.05)
        conn.sendall(b"quit\n")
        data = open(dump, "rb").read()
    finally:
        qemu.kill()
        qemu.wait()
    changed = next((i for i, b in enumerate(data) if b != PATTERN), None)
    if changed is None or changed == 0:
        # Nothing touched (impossible for a real call) or the paint overrun: do not guess.
        sys.exit(f"stack measurement inconclusive (first changed byte at {changed})")
    print(f"stack_bytes={anchor - (start + changed)}")


def read_until(conn, token):
    buf = b""
    while token not in buf:
        chunk = conn.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf


if __name__ == "__main__":
    main()
