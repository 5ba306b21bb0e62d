#!/usr/bin/env python3
"""Runs one real exchange with the C example plugin and prints it as the
annotated hex dump used in docs/PROTOCOL.md ("A worked exchange").

    make c-plugins && scripts/capture-exchange.py .build/debug/example-plugin-c

The host side is encoded by hand from plugin.proto, the plugin side is what
the plugin really wrote. Tests/SecScoreWireTests decodes the dump in the doc.
"""
import struct, subprocess, sys

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)

def field(num, wire, payload):
    key = varint(num << 3 | wire)
    if wire == 0:
        return key + varint(payload)
    return key + varint(len(payload)) + payload

def s(num, text): return field(num, 2, text.encode())
def u(num, value): return field(num, 0, value)
def m(num, body): return field(num, 2, body)

def frame(ftype, rid, payload, flags=0):
    return bytes([0xF5, 0x53, ftype, flags]) + struct.pack(">II", rid, len(payload)) + payload

hello = (m(1, varint(1)) + s(2, "secscore") + s(3, "0.1.0") + u(4, 4 << 20) + u(5, 256 << 20)
         + u(6, 10000) + u(7, 30000) + u(8, 2000) + u(9, 3))
contact = s(1, "SOC") + s(2, "soc@contoso.com") + s(3, "+1 425 555 0100")
context = s(1, "2025-11-01") + u(2, 1762041600000) + u(3, 1) + s(4, "2025-10") + u(5, 1)
request = s(1, "example.contactDomain") + u(2, 30000) + m(3, context) + m(4, m(2, contact))

def read_frame(stream):
    header = stream.read(12)
    length = struct.unpack(">I", header[8:12])[0]
    return header + stream.read(length)

def dump(title, data):
    print(f"{title}\n```hex")
    for i in range(0, len(data), 16):
        print(" ".join(f"{b:02x}" for b in data[i:i + 16]))
    print("```\n")

plugin = subprocess.Popen([sys.argv[1]], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
sent_hello = frame(0x01, 0, hello)
plugin.stdin.write(sent_hello); plugin.stdin.flush()
welcome = read_frame(plugin.stdout)
sent_request = frame(0x10, 1, request)
plugin.stdin.write(sent_request); plugin.stdin.flush()
response = read_frame(plugin.stdout)
plugin.stdin.close()
plugin.wait()
dump("HELLO, host to plugin:", sent_hello)
dump("WELCOME, plugin to host:", welcome)
dump("REQUEST id 1, host to plugin:", sent_request)
dump("RESPONSE id 1, plugin to host:", response)
