/*
 * usi: the Universal Serial Interface of the ATtiny25/45/85 as a simavr part
 * (simavr 1.6 has none). Written from the datasheet (Atmel 2586, chapter 15,
 * "USI - Universal Serial Interface").
 *
 * Modelled:
 *  - USICR, USISR, USIDR, USIBR through register hooks; USICLK and USITC are
 *    strobes that read as 0; USISR flags are cleared by writing 1; USIDC is
 *    computed on read (USIDR bit 7 differs from the SDA pin, two-wire modes).
 *  - Wire modes 00 (outputs off), 01 (three-wire: DO on PB1 follows the output
 *    latch when DDB1 = 1), 10 and 11 (two-wire, open drain: SDA is pulled low
 *    when DDB0 = 1 and (PORTB0 = 0 or the latch = 0); SCL is pulled low when
 *    DDB2 = 1 and (PORTB2 = 0 or a hold is on)).
 *  - Start detector (two-wire): SDA falling while SCL is high sets USISIF
 *    (USI_START vector 13 if USISIE); the start hold then keeps SCL low from
 *    the master's next falling SCL edge until USISIF is cleared. In modes 00
 *    and 01 with an external clock and USICLK = 0, any SCL edge sets USISIF.
 *  - Stop detector (two-wire): SDA rising while SCL is high sets USIPF.
 *  - 4-bit counter: external clock counts both SCL edges (USICS1 = 1,
 *    USICLK = 0); USITC strobe counts when USICS1 = 1 and USICLK = 1; USICLK
 *    strobe shifts and counts when USICS = 00. Overflow (15 -> 0) sets USIOIF
 *    (USI_OVF vector 14 if USIOIE), copies USIDR to USIBR, and in mode 11
 *    holds SCL low (from the next SCL low) until USIOIF is cleared.
 *  - Shift register: samples SDA into bit 0 on the rising (USICS0 = 0) or
 *    falling (USICS0 = 1) SCL edge; the output latch is open while SCL is in
 *    the first half of the clock (low for USICS0 = 0), closed in the second,
 *    and always open with an internal clock source.
 *  - Interrupt flags behave as levels: enabling USISIE/USIOIE with the flag
 *    set raises the interrupt, and a flag still set at RETI raises it again.
 *  - PRR.PRUSI = 1 stops the module: edges are ignored.
 * Not modelled: Timer/Counter0 compare match as clock source (USICS = 01
 * clocks nothing), the 50-300 ns SDA delay of the start detector, the
 * oscillator start-up time before the start hold matters.
 *
 * This file links libsimavr (GPL-3): binaries that include it are GPL-3.
 */
#ifndef EXTWD_SIM_USI_H
#define EXTWD_SIM_USI_H

#include <stdint.h>
#include <simavr/sim_avr.h>
#include "wires.h"

struct usi_config {
    avr_io_addr_t r_usicr, r_usisr, r_usidr, r_usibr; /* data-space addresses */
    avr_io_addr_t r_port, r_ddr;                      /* PORTB, DDRB */
    avr_io_addr_t r_prr;
    uint8_t prusi_bit;
    uint8_t sda_bit, scl_bit, do_bit;                 /* PB0, PB2, PB1 */
    uint8_t vec_start, vec_ovf;                       /* 13, 14 on the ATtiny85 */
};

/* Tells the owner that the USI's pin drive may have changed. */
typedef void (*usi_drive_changed_fn)(void *ctx);

struct usi {
    avr_t *avr;
    struct usi_config c;
    avr_int_vector_t v_start, v_ovf;
    int sda, scl;               /* line levels as the USI last saw them */
    uint8_t latch;              /* output latch: USIDR bit 7 when open */
    uint8_t usiclk_sel;         /* USICLK as clock select (USICS1 = 1) */
    uint8_t start_hold_req, start_hold;
    uint8_t ovf_hold_req, ovf_hold;
    usi_drive_changed_fn changed;
    void *changed_ctx;
    /* counts, for tests and benches */
    uint32_t starts, stops, overflows;
};

/* Registers the USI's registers and vectors on avr. Call once, after
 * avr_init. Returns 0. */
int usi_init(struct usi *u, avr_t *avr, const struct usi_config *cfg,
             usi_drive_changed_fn changed, void *ctx);

/* After a chip reset (registers are zero): clears the internal state.
 * sda/scl are the line levels now. */
void usi_reset(struct usi *u, int sda, int scl);

/* The bus moved: line 0 = SDA, 1 = SCL, to level. */
void usi_line_edge(struct usi *u, int line, int level);

/* Returns the USI's drive on SDA / SCL, or WIRE_RELEASED with gpio=1 when the
 * pin is plain GPIO in the current wire mode. */
enum wire_drive usi_drive(const struct usi *u, int line, int *gpio);

/* Returns the drive of the DO pin (PB1) and sets *gpio=1 unless the USI is in
 * three-wire mode with DDB1 = 1. */
enum wire_drive usi_do_drive(const struct usi *u, int *gpio);

#endif /* EXTWD_SIM_USI_H */
