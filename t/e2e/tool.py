# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers of t/e2e/lib.sh: clean a serial console, read what a guest shows on screen, pick fields out of se3-ipxe's JSON.
"""usage: python3 tool.py COMMAND ARG...

  clean FILE [wrap]   the serial console as plain lines: no escape sequences,
                      no spinner backspaces; with "wrap", lines of exactly 80
                      characters (the BIOS console's hard wrap) are re-joined
  vgatext FILE        the characters of a VGA text-mode dump (pmemsave of
                      0xb8000, 4000 bytes), 80 a line
  memtest-ppm FILE    succeed if a PPM screendump looks like memtest86+'s
                      screen: mostly its blue (0000aa), with its grey bars
  actions             stdin: `se3-ipxe actions --json`; one name a line
  state MAC           stdin: `se3-ipxe status --json`; "STATE BOOTS" of the
                      MAC's latest action, or "none"
  action MAC          stdin: `se3-ipxe status --json`; the MAC's action as
                      sorted JSON, or "none"
  machine MAC FIELD   stdin: `se3-ipxe status --json`; one machine field
"""
import json
import re
import sys

CSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[c78]|\x1b[()][0-9A-Za-z]")


def clean(path, wrap):
    text = open(path, "rb").read().decode("latin-1")
    text = CSI.sub("", text)
    text = text.replace("\b \b", "").replace("\b", "")
    out, carry = [], ""
    for line in re.split(r"\r\n|\r|\n", text):
        if line == "":
            continue
        if wrap and len(line) == 80:
            carry += line
            continue
        out.append(carry + line)
        carry = ""
    if carry:
        out.append(carry)
    sys.stdout.write("".join(s + "\n" for s in out))


def vgatext(path):
    chars = "".join(chr(b) if 0x20 <= b < 0x7f else " "
                    for b in open(path, "rb").read()[0::2])
    for i in range(0, len(chars), 80):
        sys.stdout.write(chars[i:i + 80].rstrip() + "\n")


def memtest_ppm(path):
    data = open(path, "rb").read()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
    if m is None:
        return 1
    w, h = int(m.group(1)), int(m.group(2))
    px = data[m.end():m.end() + w * h * 3]
    blue = grey = 0
    for i in range(0, len(px), 3 * 7):	# every 7th pixel is plenty
        p = px[i:i + 3]
        if p == b"\x00\x00\xaa":
            blue += 1
        elif p == b"\xaa\xaa\xaa":
            grey += 1
    n = max(1, len(px) // (3 * 7))
    return 0 if blue / n > 0.5 and grey / n > 0.01 else 1


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "clean" and len(argv) >= 3:
        clean(argv[2], len(argv) > 3 and argv[3] == "wrap")
    elif cmd == "vgatext" and len(argv) == 3:
        vgatext(argv[2])
    elif cmd == "memtest-ppm" and len(argv) == 3:
        return memtest_ppm(argv[2])
    elif cmd == "actions":
        for a in json.load(sys.stdin):
            print(a["name"])
    elif cmd == "state" and len(argv) == 3:
        for m in json.load(sys.stdin):
            if m["mac"] == argv[2] and m.get("action"):
                print(m["action"]["state"], m["action"]["boots"])
                return 0
        print("none")
    elif cmd == "action" and len(argv) == 3:
        for m in json.load(sys.stdin):
            if m["mac"] == argv[2] and m.get("action"):
                print(json.dumps(m["action"], sort_keys=True))
                return 0
        print("none")
    elif cmd == "machine" and len(argv) == 4:
        for m in json.load(sys.stdin):
            if m["mac"] == argv[2]:
                print(m["machine"].get(argv[3]))
                return 0
        print("none")
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
