#!/usr/bin/env python3
"""Generates scan-dsl/src/main/kotlin/dev/kmap/dsl/internal/PortTableData.kt.

kmap ships its own port tables so that the scan DSL does no I/O. They are derived from an
nmap-services file (Debian's nmap package installs one at /usr/share/nmap/nmap-services), but
only FACTS are carried over:

  * which port numbers the file lists per protocol,
  * the conventional service name of each port ("unknown" entries keep no name), and
  * the RANK ORDER of ports by open frequency (most frequent first; ties by ascending port,
    which is the order nmap itself uses for --top-ports).

The frequency numbers themselves are NOT shipped, nor are the file's comments. Only ports
with a nonzero frequency are ranked: past them nmap's order carries no information. SCTP
entries are skipped (kmap does not scan SCTP).

Usage:
    python3 scan-dsl/tools/gen-port-tables.py [nmap-services] [output.kt]
    python3 scan-dsl/tools/gen-port-tables.py --verify-with-nmap [nmap-services]

--verify-with-nmap compares the top-N sets with what the installed nmap selects (it runs
`nmap -sT|-sU --top-ports N -oX -` WITHOUT targets, so nothing is sent on the network).

Encoding (decoded by dev.kmap.dsl.internal.PortTables):
  Numbers are base-32 varints, most significant digit first. Each digit is one character:
  a continuation digit d is chr(0x5D + d) (']' .. '|'), the final digit d is chr(0x28 + d)
  ('(' .. 'G'). Neither range contains '"', '\\' or '$', so the strings need no escapes.
  * NAMES: every service name, separated by ' ', index 0 is "unknown" (meaning: no name).
  * <PROTO>_SERVICES: per listed port, ascending: varint(port - previous port - 1) with
    previous = -1 at the start, then varint(name index).
  * <PROTO>_RANKING: varint(port) per ranked port, most frequent first.
"""

import os
import subprocess
import sys

DEFAULT_SERVICES = "/usr/share/nmap/nmap-services"
DEFAULT_OUTPUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "src", "main", "kotlin", "dev", "kmap", "dsl", "internal", "PortTableData.kt",
)
PROTOCOLS = ("tcp", "udp")
CHUNK = 16000  # characters per Kotlin string literal (far below the 65535-byte constant limit)
LINE = 100  # characters per source line inside a literal


def read_services(path):
    """Returns {proto: [(port, name, frequency)]} from an nmap-services file."""
    table = {p: {} for p in PROTOCOLS}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            fields = line.split()
            name, portproto = fields[0], fields[1]
            freq = float(fields[2]) if len(fields) > 2 else 0.0
            port, proto = portproto.split("/")
            port = int(port)
            if proto not in table:
                continue
            if not 0 <= port <= 65535:
                raise SystemExit(f"bad port in {path}: {line}")
            if " " in name:
                raise SystemExit(f"service name with a space in {path}: {line}")
            table[proto][port] = (name, freq)
    return {p: sorted((port, n, fr) for port, (n, fr) in t.items()) for p, t in table.items()}


def ranking(entries):
    ranked = [e for e in entries if e[2] > 0]
    ranked.sort(key=lambda e: (-e[2], e[0]))
    return [e[0] for e in ranked]


def varint(n):
    assert n >= 0
    digits = []
    while True:
        digits.append(n & 31)
        n >>= 5
        if n == 0:
            break
    digits.reverse()
    return "".join(chr(0x5D + d) for d in digits[:-1]) + chr(0x28 + digits[-1])


def encode_services(entries, index):
    out, prev = [], -1
    for port, name, _ in entries:
        out.append(varint(port - prev - 1))
        out.append(varint(index[name]))
        prev = port
    return "".join(out)


def kotlin_string_function(name, text, doc):
    """One private function per chunk, each returning one literal, plus a joining function."""
    chunks = [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
    out = []
    if len(chunks) == 1:
        out.append(f"    /** {doc} */")
        out.append(f"    fun {name}(): String =")
        out.append(literal(chunks[0]))
        out.append("")
        return "\n".join(out)
    out.append(f"    /** {doc} */")
    out.append(f"    fun {name}(): String = " + " + ".join(f"{name}{i}()" for i in range(len(chunks))))
    out.append("")
    for i, chunk in enumerate(chunks):
        out.append(f"    private fun {name}{i}(): String =")
        out.append(literal(chunk))
        out.append("")
    return "\n".join(out)


def literal(text):
    for bad in ('"', "\\", "$"):
        assert bad not in text, bad
    parts = [text[i:i + LINE] for i in range(0, len(text), LINE)] or [""]
    return " +\n".join(f'        "{p}"' for p in parts)


def generate(services_path, output_path):
    entries = read_services(services_path)
    uses = {}
    for proto in PROTOCOLS:
        for _, name, _ in entries[proto]:
            uses[name] = uses.get(name, 0) + 1
    # index 0 is "unknown"; then the most used names first (shorter varints), ties by name
    names = ["unknown"] + sorted((n for n in uses if n != "unknown"), key=lambda n: (-uses[n], n))
    index = {n: i for i, n in enumerate(names)}

    body = []
    body.append(kotlin_string_function("names", " ".join(names), "Service names separated by ' '; index 0 is \"unknown\" (no name)."))
    counts = {}
    for proto in PROTOCOLS:
        up = proto.upper()
        ranked = ranking(entries[proto])
        counts[proto] = (len(entries[proto]), sum(1 for e in entries[proto] if e[1] != "unknown"), len(ranked))
        body.append(kotlin_string_function(
            f"{proto}Services", encode_services(entries[proto], index),
            f"The {len(entries[proto])} listed {proto} ports: varint(port gap), varint(name index)."))
        body.append(kotlin_string_function(
            f"{proto}Ranking", "".join(varint(p) for p in ranked),
            f"The {len(ranked)} ranked {proto} ports, most frequently open first: varint(port)."))

    header = f"""// GENERATED by scan-dsl/tools/gen-port-tables.py from an nmap-services file. DO NOT EDIT.
// Facts only: listed port numbers, conventional service names and the rank order of ports by
// open frequency (the frequencies themselves are not included).
// tcp: {counts['tcp'][0]} listed ports ({counts['tcp'][1]} named), {counts['tcp'][2]} ranked.
// udp: {counts['udp'][0]} listed ports ({counts['udp'][1]} named), {counts['udp'][2]} ranked.
// {len(names)} distinct service names. The encoding is described in the generator.
package dev.kmap.dsl.internal

/** Packed port tables; decoded once by [PortTables]. */
internal object PortTableData {{
"""
    text = header + "\n".join(body).rstrip() + "\n}\n"
    os.makedirs(os.path.dirname(output_path), exist_ok=True)
    with open(output_path, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {output_path}: {len(text)} characters, names={len(names)}, "
          + ", ".join(f"{p}: listed={c[0]} named={c[1]} ranked={c[2]}" for p, c in counts.items()))


def nmap_top(proto, n):
    flag = "-sT" if proto == "tcp" else "-sU"
    out = subprocess.run(["nmap", flag, "--top-ports", str(n), "-oX", "-"],
                         capture_output=True, text=True, check=True).stdout
    marker = ' services="'
    start = out.index(marker) + len(marker)
    ports = set()
    for item in out[start:out.index('"', start)].split(","):
        a, _, b = item.partition("-")
        ports.update(range(int(a), int(b or a) + 1))
    return ports


def verify(services_path):
    entries = read_services(services_path)
    ok = True
    for proto in PROTOCOLS:
        ranked = ranking(entries[proto])
        for n in list(range(1, 40)) + [100, 999, 1000, 1001, 2000, len(ranked)]:
            if n > len(ranked):
                continue
            ours, theirs = set(ranked[:n]), nmap_top(proto, n)
            if ours != theirs:
                ok = False
                print(f"MISMATCH {proto} top {n}: only ours {sorted(ours - theirs)[:10]}, "
                      f"only nmap {sorted(theirs - ours)[:10]}")
        print(f"{proto}: checked against nmap")
    return ok


def main(argv):
    if argv and argv[0] == "--verify-with-nmap":
        return 0 if verify(argv[1] if len(argv) > 1 else DEFAULT_SERVICES) else 1
    services = argv[0] if argv else DEFAULT_SERVICES
    output = argv[1] if len(argv) > 1 else DEFAULT_OUTPUT
    generate(services, os.path.normpath(output))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
