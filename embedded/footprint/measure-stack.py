#!/usr/bin/env python3
"""Runs the footprint firmware's `measure` build under QEMU and prints the pin path's stack use.

The firmware paints 4 KiB of stack below its frame, runs the pin path, prints where the paint
lies, and spins. QEMU starts halted with its GDB stub on: a breakpoint at the entry of the pin
path's function (`pin_check`) gives the stack pointer the call starts from. The script then
dumps the painted RAM through QEMU's monitor (`pmemsave`) and finds the lowest byte the path
changed: used = stack pointer at entry - lowest changed address. That is the pin path alone
(its frames and its callees'), not the caller's frame.

usage: measure-stack.py ELF MACHINE ENTRY   (MACHINE: mps2-an386 | riscv-virt; ENTRY: hex
       address of the pin path's function)
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
    elf, machine, entry = sys.argv[1], sys.argv[2], int(sys.argv[3], 16) & ~1
    tmp = tempfile.mkdtemp(prefix="certpin-stack-")
    mon = os.path.join(tmp, "monitor.sock")
    gdb = os.path.join(tmp, "gdb.sock")
    dump = os.path.join(tmp, "stack.bin")
    # Index of the stack pointer in the GDB `g` packet: r13 on Arm, x2 on RISC-V.
    if machine == "mps2-an386":
        cmd, sp_reg = ["qemu-system-arm", "-machine", "mps2-an386"], 13
    elif machine == "riscv-virt":
        cmd, sp_reg = ["qemu-system-riscv32", "-machine", "virt", "-bios", "none"], 2
    else:
        sys.exit(f"unknown machine {machine}")
    cmd += ["-nographic", "-serial", "none", "-semihosting-config", "enable=on,target=native",
            "-kernel", elf, "-monitor", f"unix:{mon},server=on,wait=off",
            "-S", "-gdb", f"unix:{gdb},server=on,wait=off"]
    qemu = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        sp_at_entry = stack_pointer_at(gdb, entry, sp_reg)
        line = qemu.stdout.readline()
        m = re.search(r"anchor=0x([0-9a-f]+) painted_from=0x([0-9a-f]+) paint=(\d+) accepted=(\w+)", line)
        if not m:
            sys.exit(f"measure firmware did not report: {line!r}")
        anchor, start, size = int(m[1], 16), int(m[2], 16), int(m[3])
        if not start < sp_at_entry <= anchor:
            sys.exit(f"stack pointer {sp_at_entry:#x} at the pin path's entry is not between "
                     f"the paint ({start:#x}) and the caller's frame ({anchor:#x})")
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
    print(f"stack_bytes={sp_at_entry - (start + changed)}")


def stack_pointer_at(path, address, sp_reg):
    """Runs the halted QEMU to `address` through its GDB stub; returns the stack pointer there."""
    deadline = time.time() + 10
    while not os.path.exists(path):
        if time.time() > deadline:
            sys.exit("QEMU's GDB stub did not open")
        time.sleep(0.05)
    conn = socket.socket(socket.AF_UNIX)
    conn.connect(path)
    conn.settimeout(20)
    rsp(conn, f"Z0,{address:x},2")
    stop = rsp(conn, "c")
    if not stop.startswith(("T", "S")):
        sys.exit(f"GDB stub: unexpected stop reply {stop!r}")
    regs = rsp(conn, "g")
    sp = int.from_bytes(bytes.fromhex(regs[sp_reg * 8:sp_reg * 8 + 8]), "little")
    rsp(conn, f"z0,{address:x},2")
    # Detaching resumes the firmware, which then reports its paint and waits.
    conn.sendall(packet("D"))
    conn.close()
    return sp


def packet(data):
    return f"${data}#{sum(data.encode()) % 256:02x}".encode()


def rsp(conn, data):
    """Sends one GDB remote-protocol packet and returns the payload of the reply."""
    conn.sendall(packet(data))
    buf = b""
    while True:
        start = buf.find(b"$")
        end = buf.find(b"#", start)
        if start >= 0 and end >= 0 and len(buf) >= end + 3:
            conn.sendall(b"+")
            return buf[start + 1:end].decode()
        chunk = conn.recv(4096)
        if not chunk:
            sys.exit("GDB stub closed the connection")
        buf += chunk


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
