# SPDX-License-Identifier: GPL-3.0-or-later
# One DHCPDISCOVER (client architecture option 93, user class optional) on one interface; prints the offer's boot fields as "key=value" lines.
#
# Usage: dhcpdiscover.py IFACE MAC ARCH [USER-CLASS]
# Run it inside a network namespace: it sends one broadcast on IFACE only.
# Exits 0 with the offer, 1 when none came within 5 s.
import random
import socket
import struct
import sys
import time


def discover(iface, mac, arch, user_class):
    hw = bytes(int(x, 16) for x in mac.split(':'))
    xid = random.getrandbits(32)
    pkt = struct.pack('!BBBBIHH4s4s4s4s16s64s128s', 1, 1, 6, 0, xid, 0,
                      0x8000, b'', b'', b'', b'', hw, b'', b'')
    opts = bytes([99, 130, 83, 99])
    opts += bytes([53, 1, 1])			# DHCPDISCOVER
    opts += bytes([93, 2]) + struct.pack('!H', arch)
    opts += bytes([94, 3, 1, 2, 1])		# UNDI 2.1, as a PXE ROM sends
    vci = b'PXEClient:Arch:%05d:UNDI:002001' % arch
    opts += bytes([60, len(vci)]) + vci
    if user_class:
        uc = user_class.encode()
        opts += bytes([77, len(uc)]) + uc	# as iPXE sends it: no RFC 3004 length
    opts += bytes([55, 6, 1, 3, 6, 60, 66, 67])
    opts += bytes([255])
    pkt += opts

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.bind(('0.0.0.0', 68))
    s.settimeout(1.0)
    end = time.time() + 5
    while time.time() < end:
        s.sendto(pkt, ('255.255.255.255', 67))
        try:
            while True:
                data, _ = s.recvfrom(2048)
                if len(data) < 240 or data[0] != 2:
                    continue
                if struct.unpack('!I', data[4:8])[0] != xid:
                    continue
                return parse(data)
        except socket.timeout:
            continue
    return None


def parse(data):
    out = {
        'yiaddr': socket.inet_ntoa(data[16:20]),
        'siaddr': socket.inet_ntoa(data[20:24]),
        'file': data[108:236].split(b'\0')[0].decode('latin-1'),
    }
    i = 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        code, n = data[i], data[i + 1]
        val = data[i + 2:i + 2 + n]
        if code == 53:
            out['type'] = str(val[0])
        elif code == 66:
            out['opt66'] = val.split(b'\0')[0].decode('latin-1')
        elif code == 67:
            out['opt67'] = val.split(b'\0')[0].decode('latin-1')
        i += 2 + n
    return out


def main():
    if len(sys.argv) not in (4, 5):
        sys.stderr.write('usage: dhcpdiscover.py IFACE MAC ARCH [USER-CLASS]\n')
        return 2
    uc = sys.argv[4] if len(sys.argv) == 5 else ''
    offer = discover(sys.argv[1], sys.argv[2], int(sys.argv[3]), uc)
    if offer is None:
        print('no offer')
        return 1
    for k in sorted(offer):
        print('%s=%s' % (k, offer[k]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
