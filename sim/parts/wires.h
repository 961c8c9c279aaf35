/*
 * wires: the lines outside an AVR in simavr. Each wire is one pin of the chip,
 * driven by the chip (its port registers or a peripheral that overrides them),
 * pulled low by devices outside (a bus master, a stuck device, a button) and
 * pulled up by a board resistor. The part computes each line's level as
 * silicon would (wired-AND, pull-ups), and feeds it back into the chip: PINx
 * reads the line, and a level change raises the pin-change interrupt.
 *
 * simavr 1.6's own port model reads PORT for output pins and raises PCINT on
 * PORT writes; for the pins a wire owns, this part takes both jobs over (it
 * replaces the PINx read and detaches the port's pin-change hook after every
 * chip reset; call wires_after_reset from the last reset hook).
 *
 * This file links libsimavr (GPL-3): binaries that include it are GPL-3.
 */
#ifndef EXTWD_SIM_WIRES_H
#define EXTWD_SIM_WIRES_H

#include <stdint.h>
#include <simavr/sim_avr.h>
#include <simavr/avr_ioport.h>

#define WIRES_MAX       8
#define WIRES_PORTS_MAX 2
#define WIRES_HOOKS_MAX 12

/* What the chip does to a pin. */
enum wire_drive {
    WIRE_RELEASED = 0,  /* high impedance */
    WIRE_PULLUP,        /* input with the internal pull-up */
    WIRE_HIGH,          /* push-pull high */
    WIRE_LOW,           /* driven low */
};

/* Who outside pulls a line low (bits of wire.outside_low). */
#define WIRE_BY_MASTER 0x01u
#define WIRE_BY_FAULT  0x02u
#define WIRE_BY_BUTTON 0x04u

/* Returns the chip's drive on wire index; NULL in struct wire = plain GPIO. */
typedef enum wire_drive (*wire_drive_fn)(void *ctx, int index);
/* Called for every level change, at the cycle it happens. */
typedef void (*wire_edge_fn)(void *ctx, int index, int level);

struct wire {
    char port;
    uint8_t bit;
    uint8_t board_pullup;   /* a resistor on the board pulls the line high */
    uint8_t outside_low;    /* WIRE_BY_* bits */
    int level;
    wire_drive_fn drive;
    void *drive_ctx;
};

struct wires_port {
    avr_ioport_t *io;
    uint8_t mask;           /* pins of this port that wires own */
    avr_io_read_t orig_read;
    void *orig_param;
};

struct wires_hook {
    avr_io_addr_t addr;
    avr_io_write_t orig;    /* the module's own write handler, called first */
    void *orig_param;
};

struct wires {
    avr_t *avr;
    struct wire w[WIRES_MAX];
    int n;
    struct wires_port ports[WIRES_PORTS_MAX];
    int nports;
    struct wires_hook hooks[WIRES_HOOKS_MAX];
    int nhooks;
    avr_io_addr_t r_pud;    /* register and bit of the global pull-up disable */
    uint8_t pud_bit;
    wire_edge_fn edge;
    void *edge_ctx;
    int busy, dirty;
    uint32_t contentions;   /* a line driven high by the chip while pulled low outside */
};

/* Binds ws to avr; r_pud/pud_bit name the PUD bit (MCUCR). Returns 0. */
int wires_init(struct wires *ws, avr_t *avr, avr_io_addr_t r_pud, uint8_t pud_bit);

/* Adds a wire on pin port/bit. drive NULL means plain GPIO rules. Returns the
 * wire's index, or -1 if the table is full or the port does not exist. */
int wires_add(struct wires *ws, char port, uint8_t bit, int board_pullup,
              wire_drive_fn drive, void *drive_ctx);

/* Makes writes to addr recompute the lines (a peripheral register that
 * changes pin drive). Returns 0, or -1 if the table is full. */
int wires_watch(struct wires *ws, avr_io_addr_t addr);

/* Sets the edge callback. */
void wires_on_edge(struct wires *ws, wire_edge_fn fn, void *ctx);

/* An outside device (who = WIRE_BY_*) pulls wire index low (low=1) or lets go. */
void wires_pull(struct wires *ws, int index, uint8_t who, int low);

/* Recomputes every line and reports the changes. Safe to call from inside an
 * edge callback (the change is then handled after the current one). */
void wires_update(struct wires *ws);

/* After a chip reset: takes the pins back from the port model, recomputes. */
void wires_after_reset(struct wires *ws);

/* Returns the level of wire index. */
int wires_level(const struct wires *ws, int index);

/* Returns the drive of pin port/bit under plain GPIO rules (DDR, PORT, PUD). */
enum wire_drive wires_gpio_drive(const struct wires *ws, int index);

#endif /* EXTWD_SIM_WIRES_H */
