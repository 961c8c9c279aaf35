#!/usr/bin/env python3
"""Writes the hand-made seeds of fuzz_core into fuzz/core/seeds/ (run from
anywhere; the files are committed, this says what each one holds).

Input format (fuzz_core.c): a config byte (bits 0-1 the EEPROM source,
bits 4-7 the chip reset flags of the first boot), the EEPROM bytes that
source takes, 42 bytes of persist, then operations:
  0x01-0x06 + bytes   a write frame of that length
  0x60 + n            read n + 1 bytes at the pointer
  0x80 + n            n + 1 ticks (n < 31); 0x9F lo hi: (lo | hi << 8) & 0xFFF ticks
  0xC0 extra          port service (saves but a factory reset's: extra 0x70-0x7F tears the write)
  0xE0 | flags        chip restart with those reset flags (bit 0 power-on)

Each seed drives one rule of firmware 2.1 to the edge where an invariant of
fuzz_core would see a broken core: keyed mode, reset timing, EEPROM
validity, bounded unprotection and STATUS kept until read.
SPDX-License-Identifier: MIT
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
PERSIST = bytes(42)
PORF = 0x10  # config bits 4-7: first boot is a power-on


def valid_slot(t=12, grace=0, pulse=5, max_disarm=2, pre=0, win=0, opts=0, bootloop=0, healthy=0, action=1):
    """Config source 1: a valid slot built by the fuzzer from these bytes
    (timeout = 100 + 16 t ms: t = 12 is 292 ms, 19 ticks; grace = g & 3 s;
    pulse = 1 + p ms; MAX_DISARM_S = m & 7; ...)."""
    return bytes([PORF | 1, t, grace, pulse, max_disarm, pre, win, opts, bootloop, healthy, action]) + PERSIST


def ticks(n):
    out = b""
    while n > 31:
        out += bytes([0x9E])  # 31 ticks
        n -= 31
    return out + (bytes([0x80 + n - 1]) if n else b"")


FEED = b"\x01\xa5"
KEY = b"\x03\x43\x5a\xd1"
SAVE = b"\x01\x80"
SERVE = b"\xc0\x00"
READ1 = b"\x60"


def fletcher(data, init):
    a, b = init & 0xFF, init >> 8
    for x in data:
        a = (a + x) & 0xFF
        b = (b + a) & 0xFF
    return bytes([a, b])


def slot_image(timeout_ms=3000, pulse=100, max_disarm=300, pre=0, win=0, action=1, grace=20, addr=0x26,
               busload=50, bootloop=3, healthy=60, opts=0, bad_check=False):
    s = (timeout_ms.to_bytes(4, "little") + pulse.to_bytes(2, "little") + max_disarm.to_bytes(2, "little") +
         pre.to_bytes(2, "little") + win.to_bytes(2, "little") +
         bytes([action, grace, addr, busload, bootloop, healthy, opts]))
    assert len(s) == 19
    k = fletcher(s, 0x4500 | 2)
    if bad_check:
        k = bytes([k[0] ^ 1, k[1]])
    return s + k


SEEDS = {
    # keyed mode: each restricted frame once without the key (refused), then
    # with it; a key 63 ticks old no longer counts
    "keyed_mode": valid_slot(opts=1) + FEED + SAVE + b"\x02\x42\x4c" + b"\x02\x85\x54" + b"\x02\x07\x00" +
    b"\x02\x06\x05" + b"\x05\x5c\x10\x27\x00\x00" + b"\x02\x09\x05" + b"\x05\x30\x10\x27\x00\x00" +
    b"\x02\x3e\x00" + b"\x01\x81" + b"\x01\x84" + b"\x03\x82\x30\xcf" +
    KEY + SAVE + SERVE + KEY + b"\x05\x5c\x10\x27\x00\x00" + KEY + b"\x02\x07\x00" + KEY + ticks(63) + SAVE +
    KEY + ticks(62) + b"\x02\x07\x01" + KEY + b"\x02\x42\x4c" + SAVE + KEY + b"\x02\x85\x54" + ticks(3),
    # timing: the reset exactly 20 ticks after the boot, a feed, a host arm
    # after a silence, an arm by a timeout write, a long operation, and a
    # chip restart that keeps the count
    "reset_timing": valid_slot() + ticks(22) + FEED + ticks(22) + FEED + b"\x02\x07\x00" + ticks(30) +
    b"\x02\x07\x01" + ticks(22) + FEED + b"\x02\x06\x00" + ticks(30) + b"\x05\x30\x2c\x01\x00\x00" + ticks(22) +
    FEED + b"\x05\x5c\x90\x01\x00\x00" + ticks(30) + FEED + ticks(10) + SERVE + b"\xe0" + ticks(12),
    # EEPROM: zeros, a slot with a good check and a bad range, one with a bad
    # check, a disarm saved, a torn save
    "eeprom_zeros": bytes([PORF | 3]) + PERSIST + ticks(3),
    "eeprom_bad_range": bytes([PORF | 2]) + slot_image(pulse=0) + PERSIST + ticks(3),
    "eeprom_bad_check": bytes([PORF | 2]) + slot_image(timeout_ms=500, grace=0, bad_check=True) + PERSIST + ticks(3),
    "eeprom_good": bytes([PORF | 2]) + slot_image(timeout_ms=500, grace=0, action=0, max_disarm=2) + PERSIST +
    ticks(40) + b"\x02\x07\x01" + FEED + ticks(40),
    "eeprom_save_disarm": valid_slot() + FEED + b"\x02\x07\x00" + b"\x02\x09\x01" + SAVE + SERVE + ticks(3) +
    b"\x02\x07\x01" + ticks(25) + b"\xe1" + ticks(3) + b"\x02\x07\x00" + SAVE + b"\xc0\x75" + b"\xe1" + ticks(3),
    # bounded unprotection: a disarmed host that feeds, one that stops, a
    # timeout of 0, a second disarm after the re-arm
    "bounded_disarm": valid_slot() + FEED + b"\x02\x07\x00" + ticks(50) + FEED + ticks(50) + FEED + ticks(200) +
    FEED + b"\x02\x06\x00" + ticks(200) + FEED + b"\x02\x07\x00" + ticks(200) + FEED +
    b"\x05\x5c\x00\x00\x00\x00" + b"\x02\x07\x00" + ticks(100) + FEED + ticks(100),
    # pretimeout: EXT_STATUS bit 0 and the pin across the edge (PRETIMEOUT_MS
    # 100 is 6 whole ticks of a 19-tick timeout)
    "pretimeout": valid_slot(pre=100, opts=4) + FEED + b"\x01\x25" + ticks(10) +
    (READ1 + ticks(1)) * 10 + ticks(3),
    # STATUS bit 0: kept through feeds until STATUS or EXT_STATUS is read
    "status_unread": valid_slot() + ticks(22) + FEED + FEED + b"\x01\x12" + READ1 + FEED + b"\x01\x11" + READ1 +
    FEED + b"\x02\x85\x54" + ticks(2) + FEED + b"\x01\x25" + READ1 + FEED + ticks(22) + FEED + b"\x02\x11\x00" +
    FEED,
}


def main():
    out = os.path.join(HERE, "seeds")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
