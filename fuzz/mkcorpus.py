#!/usr/bin/env python3
"""fuzz/mkcorpus.py - regenerate the seed corpora in fuzz/corpus/<harness>/.

Seeds come from tests/data (lspci dumps cut down to a few functions, DMAR
and IVRS tables as they are), tests/xen/machines (machine sections of
hand-written traces) and hand-written access sequences for the access
harness. With --vpcitrap PATH (a `vpcitrap` whose `replay TRACE` prints
events), the traces get `expect` lines for the events their accesses cause.
Run from anywhere: python3 fuzz/mkcorpus.py [--vpcitrap tools/vpcitrap].
"""
import argparse, os, re, struct, subprocess, sys

FUZZ = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(FUZZ)
DATA = os.path.join(TOP, 'tests', 'data')
MACH = os.path.join(TOP, 'tests', 'xen', 'machines')
ECAM = 0xb0000000


def out(harness, name, data):
    d = os.path.join(FUZZ, 'corpus', harness)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


# ---- access harness: the op encoding of access_ops.c ----------------------

POOL = [0xe8000000, 0xe8020000, 0xe8024000, 0xe8024010, 0xe8030000, 0xe8031000, 0xe8040000,
        0xe8050000, 0xe8053ff0, 0xe9000000, 0xe9800000, 0xe98ff000, 0xea100000, 0xea100800,
        0xea200000, 0xea210000, 0xea300000, 0xea400000, 0xea500000, 0xea600000, 0xec000000,
        0xfeb00000, 0x7ffff000, 0x80000000, 0x000a0000, 0x0009f000, 0xb0000000, 0xb3fff000,
        0xfec00000, 0xfee00000, 0xfff00000, 0xfffff000, 0x100000000, 0x17ffff000,
        0x180000000, 0x400000000, 0xffffffff00000000, 0xe001, 0xd001, 0xd101, 0xcf9]
DEV = {'00:00.0': 0, '00:02.0': 1, '00:03.0': 2, '00:04.0': 3, '00:04.1': 4, '00:1c.0': 5,
       '00:1c.0/00.0': 6, '00:1c.0/00.0/00.0': 7, '00:1c.0/00.0/01.0': 8, '00:1c.0/01.0': 9,
       '00:1d.0': 10, '00:1d.0/00.0': 11, '00:1e.0': 12, '80:00.0': 13, '0001:00:00.0': 14,
       '00:05.0': 15}
CFG, PIO, ECAMM = 0, 1, 2


def bar_val(kind, arg=0):
    """bar_value() bytes: 'ones', 'zero', ('pool', addr), ('u32', v), 'init'."""
    if kind == 'ones':
        return [0, 0]
    if kind == 'zero':
        return [1, 0]
    if kind == 'init':
        return [7, 0]
    if kind == 'pool':
        return [2, POOL.index(arg)]
    if kind == 'u32':
        return [6, 0] + list(struct.pack('<I', arg))
    raise ValueError(kind)


def op_write_bar(dev, bar, val, mech=CFG, hi=False):
    return [mech, DEV[dev], 1 | ((bar | (0x10 if hi else 0)) << 3)] + val


def op_cmd(dev, bits, mech=CFG):
    return [mech, DEV[dev], 0, bits]


def op_read(dev, cls_byte, mech=CFG):
    return [0x0c | mech, DEV[dev], cls_byte] + [0] * 6


def op_sizing(dev, bar, both=False, restore=True, mech=CFG):
    k = bar | (0x80 if both else 0) | (0x40 if restore else 0)
    return [0xf0 | mech, DEV[dev], k]


def op_move(dev, bar, val, decode=3, mech=CFG):
    return [0xf4 | mech, DEV[dev], bar | (decode << 5)] + val


def op_renumber(bridge, sec, sub, mech=CFG):
    idx = {'00:1c.0': 0, '00:1c.0/00.0': 1, '00:1d.0': 2, '00:1e.0': 3}[bridge]
    bp = [0, 1, 2, 3, 4, 5, 6, 0x7f, 0x80, 0x81, 0xff]
    return [0xff, idx | (mech << 2), bp.index(sub), bp.index(sec)]


def op_bus_dword(dev, pri, sec, sub, mech=CFG):
    bp = [0, 1, 2, 3, 4, 5, 6, 0x7f, 0x80, 0x81, 0xff]
    return [mech, DEV[dev], 4, bp.index(pri), bp.index(sec), bp.index(sub), 0]


def access_seeds():
    allbars = [(d, b) for d, bars in [('00:02.0', [0, 2, 3, 6]), ('00:03.0', [0, 2, 3, 4, 5, 6]),
                                      ('00:04.0', [0, 1, 3, 6]), ('00:1c.0', [0, 6]),
                                      ('00:1c.0/00.0/00.0', [0, 2, 6]), ('0001:00:00.0', [0, 2])]
               for b in bars]
    seeds = {}
    s = []
    for mech in (CFG, PIO, ECAMM):
        for d, b in allbars[:8]:
            s += op_sizing(d, b, both=b in (0, 1, 2), mech=mech)
    seeds['sizing-all-mechanisms'] = [0] + s
    s = []
    for d, b in allbars:
        s += op_move(d, b, bar_val('pool', 0xe9800000))
        s += op_move(d, b, bar_val('pool', 0xea100000), mech=PIO)
        s += op_move(d, b, bar_val('init'), mech=ECAMM)
    for flags in (0, 1, 2, 3, 4, 5, 7):
        seeds['moves-into-rmrr-f%d' % flags] = [flags] + s
    s = []
    for target in (0x7ffff000, 0x0009f000, 0xb0000000, 0xfec00000, 0xfee00000, 0x100000000,
                   0xe8024000, 0xe8024010, 0xe8040000, 0xfffff000, 0xfff00000):
        s += op_move('00:03.0', 2, bar_val('pool', target))
        s += op_move('00:04.1', 0, bar_val('pool', target), mech=PIO)
    seeds['moves-ram-reserved-sharing'] = [0] + s
    s = []
    for d, b in allbars[:6]:
        s += op_move(d, b, bar_val('pool', 0xe8050000)) + op_move(d, b, bar_val('pool', 0xe8053ff0), mech=PIO)
    seeds['moves-unscoped-rmrr-f2'] = [2] + s
    seeds['moves-unscoped-rmrr-f3'] = [3] + s
    seeds['unaligned-reserved'] = [8] + s
    s = op_move('00:04.0', 1, bar_val('pool', 0x400000000)) + \
        op_write_bar('00:04.0', 2, bar_val('pool', 0x100000000), hi=True) + \
        op_write_bar('00:04.0', 2, bar_val('ones'), hi=True) + \
        op_write_bar('00:04.0', 2, bar_val('pool', 0xffffffff00000000), hi=True) + \
        op_write_bar('00:03.0', 1, bar_val('pool', 0x180000000), hi=True) + \
        op_write_bar('00:03.0', 0, bar_val('pool', 0xfff00000))
    seeds['64bit-high-halves'] = [0] + s
    s = []
    for mech in (CFG, PIO, ECAMM):
        s += op_renumber('00:1c.0', 2, 3, mech) + op_renumber('00:1c.0/00.0', 3, 3, mech)
        s += op_read('00:1c.0/00.0/00.0', 1, mech) + op_cmd('00:1c.0/00.0/00.0', 0, mech)
        s += op_renumber('00:1c.0', 1, 2, mech) + op_renumber('00:1c.0/00.0', 2, 2, mech)
        s += op_renumber('00:1d.0', 1, 1, mech) + op_renumber('00:1d.0', 0x7f, 0x81, mech)
        s += op_bus_dword('00:1c.0', 0, 3, 4, mech) + op_bus_dword('00:1d.0', 0, 1, 2, mech)
        s += op_renumber('00:1e.0', 0x80, 0xff, mech) + op_renumber('00:1c.0', 0, 0, mech)
    seeds['renumbering'] = [0] + s
    s = []
    for d in DEV:
        s += op_cmd(d, 0) + op_cmd(d, 3, PIO) + op_cmd(d, 1, ECAMM) + op_cmd(d, 2)
    seeds['command-toggles'] = [4] + s
    s = [0xfe, 0] + list(struct.pack('<I', 0x80001000)) + [0xf9, 2, 5, 0xaa, 0x55, 0, 0]
    s += [0xf8, 1, 4] + [0xf8, 2, 1] + [0xfb, 3, 4, 1, 2, 3, 4] + [0xfe, 0] + list(struct.pack('<I', 0x0000ff00))
    s += [0xfd, 2] + list(struct.pack('<I', 0x00018010)) + list(struct.pack('<I', 0xffffffff))
    s += [0xfc, 4] + list(struct.pack('<I', 0x03fffffc)) + [0xfd, 0] + list(struct.pack('<II', 0x4000000, 1))
    seeds['raw-odd-accesses'] = [0] + s
    s = []
    for mech in (CFG, PIO, ECAMM):
        s += [0x0c | mech, 0xe0, 0x07, 0x50, 0x05, 0x00, 0, 0, 0, 0]          # no function there
        s += [0x0c | mech, 0xe1, 0x00, 0x10, 0x05, 0x08, 0, 0, 0, 0]          # segment 1 (cfg only)
        s += [0x0c | mech, DEV['00:02.0'], 0x06, 0x04, 0x01, 0, 0, 0, 0]     # past 256 bytes
        s += [0x0c | mech, DEV['00:03.0'], 0x06, 0x00, 0x01, 0, 0, 0, 0]     # extended space
    seeds['absent-functions-and-registers'] = [0] + s
    # the host function (reads and writes through its backend) and extended-space masks
    s = []
    for mech in (CFG, PIO, ECAMM):
        for b in (0, 2, 3, 6):
            s += op_sizing('00:05.0', b, both=b == 0, mech=mech)
        s += op_move('00:05.0', 0, bar_val('pool', 0xe9800000), mech=mech)
        s += op_move('00:05.0', 3, bar_val('pool', 0xe8024000), mech=mech)
        s += op_move('00:05.0', 0, bar_val('init'), mech=mech) + op_cmd('00:05.0', 0, mech) + op_cmd('00:05.0', 3, mech)
    for mech in (CFG, ECAMM):
        for d in ('00:03.0', '00:05.0'):
            # AER status (RW1C), mask (RW), then read both back; 4, 2 and 1 bytes
            s += [mech, DEV[d], 0x06, 0x04, 0x01] + list(struct.pack('<I', 0x00000010))
            s += [mech, DEV[d], 0x06, 0x08, 0x01] + list(struct.pack('<I', 0xffffffff))
            s += [mech, DEV[d], 0x06 | (2 << 3), 0x05, 0x01] + list(struct.pack('<I', 0x0010))
            s += [mech, DEV[d], 0x06 | (3 << 3), 0x0a, 0x01] + list(struct.pack('<I', 0x3f))
            s += [0x0c | mech, DEV[d], 0x06, 0x04, 0x01, 0, 0, 0, 0]
            s += [0x0c | mech, DEV[d], 0x06, 0x08, 0x01, 0, 0, 0, 0]
        # extended space without mask overrides: read-only, whatever is written
        d = '00:1c.0/00.0/00.0'
        s += [mech, DEV[d], 0x06, 0x04, 0x01] + list(struct.pack('<I', 0xffffffff))
        s += [mech, DEV[d], 0x06 | (2 << 3), 0x0a, 0x01] + list(struct.pack('<I', 0xffff))
        s += [mech, DEV[d], 0x06 | (3 << 3), 0x08, 0x01] + list(struct.pack('<I', 0xff))
    seeds['host-device-and-ext-masks'] = [0] + s
    seeds['host-device-and-ext-masks-f5'] = [5] + s
    # bit 4: the machine goes through vpci_machine_write and back at the end
    for name in ('moves-into-rmrr-f0', 'moves-into-rmrr-f5', 'renumbering', 'moves-ram-reserved-sharing',
                 'host-device-and-ext-masks'):
        seeds['roundtrip-' + name] = [seeds[name][0] | 0x10] + seeds[name][1:]
    for name, data in seeds.items():
        out('access', name, bytes(data))


# ---- trace harness ----------------------------------------------------------

def access_line(mech, rw, bdf, reg, size, val=None):
    bus, dev, fn = bdf
    v = '' if val is None else ' 0x%x' % val
    if mech == 'cfg':
        return ['cfg %s 0000:%02x:%02x.%d 0x%x %d%s' % (rw, bus, dev, fn, reg, size, v)]
    if mech == 'mmio':
        return ['mmio %s 0x%x %d%s' % (rw, ECAM + (bus << 20 | dev << 15 | fn << 12 | reg), size, v)]
    cf8 = 0x80000000 | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc)
    return ['pio w 0xcf8 4 0x%x' % cf8, 'pio %s 0x%x %d%s' % (rw, 0xcfc + (reg & 3), size, v)]


def enumerate_lines(mech, devs):
    """A Linux-like scan: sizing each BAR with decode off, then decode on."""
    lines = []
    for bdf, bars, cmd in devs:
        lines += access_line(mech, 'r', bdf, 0, 4)
        lines += access_line(mech, 'w', bdf, 4, 2, 0)
        for reg in bars:
            lines += access_line(mech, 'r', bdf, reg, 4)
            lines += access_line(mech, 'w', bdf, reg, 4, 0xffffffff)
            lines += access_line(mech, 'r', bdf, reg, 4)
            lines += access_line(mech, 'w', bdf, reg, 4, bars[reg])
        lines += access_line(mech, 'w', bdf, 4, 2, cmd)
    return lines


def with_expects(text, vpcitrap):
    if not vpcitrap:
        return text
    path = '/tmp/mkcorpus-trace.txt'
    with open(path, 'w') as f:
        f.write(text)
    r = subprocess.run([vpcitrap, 'replay', path], capture_output=True, text=True)
    events = {}
    for line in r.stdout.splitlines():
        m = re.match(r'(\d+): (.*)', line)
        # line 0: the machine's initial state, never compared (docs/formats.md)
        if m and int(m.group(1)) > 0 and not m.group(2).startswith(('mismatch', 'unexpected', 'missing')):
            events.setdefault(int(m.group(1)), []).append(m.group(2))
    # Without a compare line, replay compares only from the first expect line on.
    res = ['compare sizing map unmap move renumber refuse warn']
    for n, line in enumerate(text.splitlines(), 1):
        res.append(line)
        res += ['expect ' + e for e in events.get(n, [])]
    return '\n'.join(res) + '\n'


def machine(name):
    with open(os.path.join(MACH, name)) as f:
        return f.read()


S1_DEVS = [((0, 0, 0), {}, 6), ((0, 2, 0), {0x10: 0xe8000000, 0x18: 0xd001, 0x1c: 0xe8020000}, 7),
           ((0, 3, 0), {0x10: 0xe900000c, 0x14: 0, 0x30: 0}, 2),
           ((0, 0x1c, 0), {0x38: 0}, 7), ((1, 0, 0), {0x10: 0xe001, 0x18: 0xea000004, 0x1c: 0}, 3)]


def trace_seeds(vpcitrap):
    s1 = machine('s1.machine')
    for mech in ('pio', 'cfg', 'mmio'):
        head = s1 + ('ecam 0xb0000000 0-0x3f\nreserved 0xb0000000-0xb3ffffff\n' if mech == 'mmio' else '')
        body = enumerate_lines(mech, S1_DEVS)
        out('trace', 's1-enumerate-' + mech, with_expects(head + '\n'.join(body) + '\n', vpcitrap))
    moves = []
    for val in (0xe8100000, 0xe9800000, 0x7ff00000, 0xffffffff, 0xe8000000):
        moves += access_line('cfg', 'w', (0, 2, 0), 0x10, 4, val)
    moves += access_line('cfg', 'w', (0, 3, 0), 0x30, 4, 0xe8110001)
    moves += access_line('cfg', 'w', (0, 3, 0), 0x4, 2, 0x2)
    moves += access_line('cfg', 'r', (0, 2, 0), 0x10, 4, 0x12345678)
    head = s1 + 'ram 0x0-0x7fffffff\nrmrr 0xe9800000-0xe98fffff 00:02.0\nrdm strategy=host,policy=relaxed\n'
    out('trace', 's1-moves-rmrr-relaxed', with_expects(head + '\n'.join(moves) + '\n', vpcitrap))
    head = s1.replace('device 00:02.0', 'device 00:02.0 rdm_policy=strict') + \
        'rmrr 0xe9800000-0xe98fffff 00:02.0\nrdm policy=relaxed\n'
    out('trace', 's1-moves-rmrr-strict-dev', with_expects(head + '\n'.join(moves) + '\n', vpcitrap))
    s4 = machine('s4.machine')
    ren = []
    ren += access_line('pio', 'w', (0, 1, 0), 0x18, 4, 0x00020100)
    ren += access_line('pio', 'w', (1, 0, 0), 0x18, 4, 0x00020201)
    ren += access_line('pio', 'r', (2, 0, 0), 0x0, 4)
    ren += access_line('pio', 'w', (2, 0, 0), 0x10, 4, 0xeb000000)
    ren += access_line('pio', 'w', (2, 0, 0), 0x4, 2, 0x2)
    ren += access_line('pio', 'w', (0, 1, 0), 0x19, 1, 0x5)
    ren += access_line('pio', 'w', (0, 1, 0), 0x1a, 1, 0x3)
    out('trace', 's4-renumber', with_expects(s4 + '\n'.join(ren) + '\n', vpcitrap))
    hvm = machine('hvm.machine')
    body = enumerate_lines('pio', [((0, 5, 0), {0x10: 0xf0000000, 0x14: 0xf1000000, 0x18: 0}, 2)])
    out('trace', 'hvm-hvmloader', with_expects(hvm + '\n'.join(body) + '\n', vpcitrap))
    pvh = machine('pvh-ivshmem.machine')
    body = ['compare map unmap refuse', 'cfg w 0000:00:02.0 0x4 2 0x0', 'expect unmap 0000:00:02.0 bar0 mem 0xe8000000-0xe801ffff',
            'cfg w 0000:00:02.0 0x4 2 0x2', 'expect map 0000:00:02.0 bar0 mem 0xe8000000-0xe801ffff',
            'expect sizing 0000:00:02.0 bar0', 'cfg r 0000:00:02.0 0x0 4 0xdeadbeef']
    out('trace', 'pvh-compare-expect', pvh + '\n'.join(body) + '\n')
    masks = ('device 00:03.0\n00: 86 80 00 01 00 00 10 00 00 00 00 02 00 00 00 00\n'
             '10: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n'
             '30: 00 00 00 00 40 00 00 00 00 00 00 00 00 00 00 00\n40: 05 00 80 00 00 00 00 00 00 00 00 00 00 00 00 00\n'
             'bar 0 size 0x1000\nmask 0x44 4 0xfffffffc\nmask 0x100 4 0xffffffff 0x1\n'
             'cfg w 0000:00:03.0 0x44 4 0xfee00000\ncfg r 0000:00:03.0 0x44 4 0xfee00000\n'
             'cfg w 0000:00:03.0 0x100 4 0x5\ncfg w 0000:00:03.0 0x10 4 0xe8000000\ncfg w 0000:00:03.0 0x4 1 0x2\n')
    out('trace', 'masks-caps', masks)
    out('trace', 'qemu-slice', qemu_slice())
    imported_seeds()
    # platform tables named by machine lines: the harness feeds the bytes after %%table
    for kind, src in (('dmar', 'dmar/asus-q325uar.dat'), ('ivrs', 'ivrs/mechrevo-wujie14xa.dat')):
        with open(os.path.join(DATA, src), 'rb') as f:
            tbl = f.read()
        body = '%s t\nmemmap m\n' % kind + '\n'.join(enumerate_lines('cfg', S1_DEVS[:3])) + '\n'
        out('trace', 'platform-' + kind, (s1 + body + '%%table\n').encode() + tbl)
    win = ('device 00:05.0\n00: 86 80 00 01 00 00 10 00 00 00 04 06 00 00 00 00\n'
           '30: 00 00 00 00 60 00 00 00 00 00 00 00 00 00 00 00\n60: 0c 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n'
           'indirect 0x62 0x64\nindirect-reg 0 0x12345678\nindirect-reg 1 0x0 0xffffffff\nindirect-reg 2 0x3 0x0 0x1\n'
           'cfg w 0000:00:05.0 0x62 1 0x1\ncfg w 0000:00:05.0 0x64 4 0xdeadbeef\ncfg r 0000:00:05.0 0x64 4 0xdeadbeef\n'
           'cfg w 0000:00:05.0 0x60 4 0x20000\ncfg r 0000:00:05.0 0x64 4 0x3\ncfg w 0000:00:05.0 0x64 4 0x1\n'
           'cfg r 0000:00:05.0 0x64 2\ncfg w 0000:00:05.0 0x62 1 0x7\ncfg r 0000:00:05.0 0x64 4 0xffffffff\n')
    out('trace', 'indirect-window', win)
    bad = ['device 00:02.0', '00: 86 80', 'bar 7 size 3', 'pio r 0xcf8 4', 'cfg x 0000:00:02.0 0x0 4']
    for i, line in enumerate(bad):
        out('trace', 'error-%d' % i, s1 + line + '\n')


def imported_seeds():
    """Traces made by `vpcitrap import-qemu` (examples/): the machine with its config rows
    cut to the first 64 bytes, then windows of accesses, where the boot starts and where
    the first mappings happen."""
    d = os.path.join(TOP, 'examples')
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if not name.endswith('.trace'):
            continue
        with open(os.path.join(d, name)) as f:
            lines = [l.rstrip('\n') for l in f]
        first = next(i for i, l in enumerate(lines) if l.startswith(('pio ', 'mmio ', 'cfg ')))
        head = [l for l in lines[:first] if not l.startswith('#') and
                not (re.match(r'^[0-9a-f]{2,3}: ', l) and int(l.split(':')[0], 16) >= 0x40)]
        body = lines[first:]
        exp = next((i for i, l in enumerate(body) if l.startswith('expect')), 0)
        base = name.replace('.trace', '')
        out('trace', 'imported-%s-boot' % base, '\n'.join(head + body[:300]) + '\n')
        start = max(0, exp - 150)
        while start and not body[start].startswith(('pio w 0xcf8', 'mmio', 'cfg')):
            start -= 1
        out('trace', 'imported-%s-maps' % base, '\n'.join(head + body[start:exp + 150]) + '\n')


def qemu_slice():
    """The first config accesses of a QEMU q35 boot (SeaBIOS), as pio/mmio lines, no machine."""
    import lzma
    p = os.path.join(TOP, '..', 'shared', 'traces', 'qemu', 'b_q35_rootports_bridge', 'trace.log.xz')
    lines = []
    try:
        with lzma.open(p, 'rt') as f:
            for l in f:
                m = re.search(r"memory_region_ops_(read|write) cpu \d+ mr \S+ addr (0x[0-9a-f]+) value (0x[0-9a-f]+) size (\d) name '([^']+)'", l)
                if not m:
                    continue
                rw, addr, val, size, name = m.group(1)[0], int(m.group(2), 16), int(m.group(3), 16), int(m.group(4)), m.group(5)
                if name == 'pci-conf-idx':
                    lines.append('pio %s 0x%x %d 0x%x' % (rw, addr if addr >= 0xcf8 else 0xcf8 + addr, size, val))
                elif name == 'pci-conf-data':
                    lines.append('pio %s 0x%x %d 0x%x' % (rw, addr if addr >= 0xcfc else 0xcfc + addr, size, val))
                elif name == 'pcie-mmcfg-mmio':
                    lines.append('mmio %s 0x%x %d 0x%x' % (rw, ECAM + addr, size, val))
                if len(lines) >= 300:
                    break
    except OSError:
        pass
    return 'ecam 0xb0000000 0-0xff\n' + '\n'.join(lines) + '\n'


# ---- lspci harness ------------------------------------------------------------

def blocks(path):
    """Function blocks of a dump (header line to blank line), comments dropped."""
    res, cur = [], []
    with open(path, errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('#'):
                continue
            if not line.strip():
                if cur:
                    res.append(cur)
                cur = []
                continue
            cur.append(line)
    if cur:
        res.append(cur)
    return res


def is_hex(l):
    return re.match(r'^[0-9a-f]{2,3}: ', l) is not None


def cut(block, hexbytes=256, text=True):
    res = []
    for l in block:
        if is_hex(l):
            if int(l.split(':')[0], 16) < hexbytes:
                res.append(l)
        elif text or not l.startswith('\t'):
            res.append(l if text else l.split(' ')[0] + ' ')
    return res


def pick(bl, want):
    return [b for b in bl if b and b[0].split(' ')[0] in want]


def lspci_seeds():
    src = os.path.join(DATA, 'lspci')
    plan = [('intel-dh77df.txt', ['00:00.0', '00:02.0', '00:1c.7', '02:00.0']),
            ('asus-p6t6.txt', ['00:00.0', '00:01.0', '00:03.0', '01:00.0', '02:00.0', '02:00.1']),
            ('dell-latitude-e6430.txt', ['00:00.0', '00:1c.0', '00:1e.0', '02:00.0']),
            ('huananzhi-x99-bd4.txt', ['00:00.0', '00:01.0', '00:02.0', '00:03.0', '05:00.0', 'ff:0b.0']),
            ('acer-extensa-5630.txt', ['00:00.0', '00:1e.0', '00:1c.0', '0a:00.0']),
            ('samsung-np350v5c.txt', ['00:00.0', '00:02.0', '00:1c.0', '00:1c.3', '01:00.0'])]
    for name, want in plan:
        bl = blocks(os.path.join(src, name))
        sel = pick(bl, want) or bl[:4]
        base = name.replace('.txt', '')
        out('lspci', base + '-vvvxxx', '\n\n'.join('\n'.join(cut(b)) for b in sel) + '\n')
        hexonly = '\n\n'.join('\n'.join(cut(b, text=False)) for b in sel) + '\n'
        sizes = '\n\n'.join('\n'.join(l for l in b if not is_hex(l)) for b in sel) + '\n'
        out('lspci', base + '-xxx+sizes', hexonly + '%%sizes\n' + sizes)
    bl = blocks(os.path.join(src, 'gigabyte-h55m-s2.txt'))
    out('lspci', 'gigabyte-h55m-s2-xxxx', '\n\n'.join('\n'.join(cut(b, 4096, False)) for b in bl[:2]) + '\n')
    for name in os.listdir(os.path.join(DATA, 'lspci-vvv')):
        bl = blocks(os.path.join(DATA, 'lspci-vvv', name))
        out('lspci', 'vvv-' + name.replace('.txt', ''), '\n\n'.join('\n'.join(b) for b in bl[:6]) + '\n')
    out('lspci', 'noise', 'lspci: Unable to load libkmod resources: error -2\n00:00.0 Host\n'
        '00: 86 80 50 01 06 00 90 20 09 00 00 06 00 00 00 00\n10: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n'
        '20: zz 00\n0000:00:01.0 PCI bridge\n\tRegion 0: Memory at f0000000 (32-bit) [size=4K]\n'
        '00: 86 80 51 01 07 00 10 00 00 00 04 06 00 00 01 00\n10: 00 00 00 f0 00 00 00 00 00 01 01 00 f0 00 00 00\n'
        '30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n\n01:00.0 VGA\n'
        '00: 86 80 52 01 07 00 10 00 00 00 00 03 00 00 00 00\n10: 04 00 00 e0 00 00 00 00 00 00 00 00 00 00 00 00\n'
        '20: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n')


def acpi_seeds():
    for kind in ('dmar', 'ivrs'):
        d = os.path.join(DATA, kind)
        for name in sorted(os.listdir(d)):
            if name.endswith('.dat'):
                with open(os.path.join(d, name), 'rb') as f:
                    out(kind, name.replace('.dat', ''), f.read())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--vpcitrap', help='a vpcitrap binary, for expect lines in the traces')
    a = ap.parse_args()
    access_seeds()
    trace_seeds(a.vpcitrap)
    lspci_seeds()
    acpi_seeds()


if __name__ == '__main__':
    main()
