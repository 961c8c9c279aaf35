/*
 * --vcd: a value change dump for GTKWave, written as the run goes (a long
 * run never holds its waveform in memory). Time unit: 1 ns.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#ifndef EXTWD_SIM_VCD_H
#define EXTWD_SIM_VCD_H

#include <stdint.h>
#include <stdio.h>

enum vcd_sig {
    VCD_RESET = 0,   /* the chip's reset output (1 = released) */
    VCD_SDA,
    VCD_SCL,
    VCD_PRETIMEOUT,  /* the pretimeout pin (1 = released) */
    VCD_ARMED,       /* from the chip's RAM */
    VCD_IN_GRACE,
    VCD_COUNTDOWN,   /* ms left until the reset: timeout - since_feed, 32 bits */
    VCD_SINCE_FEED,  /* ms counted since the last feed, 32 bits */
    VCD_TIMEOUT,     /* ms, 32 bits */
    VCD_HOST_STATE,  /* enum sc_host_state, 4 bits */
    VCD_NSIG
};

struct vcd {
    FILE *f;
    uint64_t last_t;
    int time_written;
    uint32_t val[VCD_NSIG];
    uint8_t known[VCD_NSIG];
};

/* Writes the header and binds v to f. Returns 0 or -1 on a write error. */
int vcd_open(struct vcd *v, FILE *f, const char *comment);

/* Records sig = value at t_ns if it changed. Times that go backwards are
 * clamped to the last time written. */
void vcd_set(struct vcd *v, uint64_t t_ns, int sig, uint32_t value);

/* Writes the final timestamp. Returns 0 or -1 if any write failed. */
int vcd_close(struct vcd *v, uint64_t t_ns);

#endif /* EXTWD_SIM_VCD_H */
