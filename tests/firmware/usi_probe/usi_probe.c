/*
 * usi_probe: a small ATtiny85 I2C slave on the USI, written from the
 * datasheet to exercise the simulator's USI model (sim/parts/usi) the way a
 * real slave does. It is a test fixture, not the extwd firmware.
 *
 * Slave 0x26, 16 registers. Write [ptr, data...] stores data from ptr on;
 * a read returns registers from ptr on (ptr advances). Registers 12-15 steer
 * the probe so tests can make it misbehave on purpose:
 *   12: a write of 0xD0 here hangs the probe with the watchdog in reset mode
 *   13: 1 = sleep in power-down even during a transaction (wrong on silicon)
 *   14: start-hold delay in 10 us units (SCL is held until USISIF clears)
 *   15: overflow-hold delay in 10 us units (SCL held until USIOIF clears)
 * Data bytes are taken from USIBR, the address from USIDR.
 *
 * SPDX-License-Identifier: MIT
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>
#include <avr/wdt.h>
#include <stdint.h>
#include <util/delay.h>

#include "mmcu_tag.h"

MMCU_TAGS("attiny85", F_CPU);

#define SLAVE_ADDR 0x26u
#define SDA PB0
#define SCL PB2

enum state { ST_ADDR, ST_SEND, ST_SEND_ACKED, ST_SEND_CHECK, ST_RECV, ST_RECV_GOT };

struct probe_stats {
    uint8_t boots;
    uint8_t mcusr;          /* MCUSR at this boot */
    uint8_t starts;         /* USI_START interrupts */
    uint8_t stops;          /* USIPF seen by the main loop */
    uint8_t overflows;      /* USI_OVF interrupts */
    uint8_t frames;         /* write frames that ended with a STOP */
    uint8_t pcints;         /* SDA pin-change wake-ups */
    uint8_t addr_miss;      /* address bytes for someone else */
    uint8_t dc_at_addr;     /* USIDC when the last address byte was in: bit 7 vs the
                               released SDA of the ACK slot */
};

volatile uint8_t probe_regs[16];
volatile struct probe_stats probe_stats;
uint8_t probe_noinit __attribute__((section(".noinit")));

static volatile uint8_t state, ptr, busy, in_frame, first_byte;

static void delay_units(uint8_t n)
{
    while (n--)
        _delay_us(10);
}

static void wait_for_start(void)
{
    DDRB &= (uint8_t)~(1u << SDA);
    USICR = (1u << USISIE) | (1u << USIWM1) | (1u << USICS1);
    USISR = (1u << USIOIF) | (1u << USIPF) | (1u << USIDC);
}

static void send_ack(void)
{
    USIDR = 0;
    DDRB |= 1u << SDA;
    USISR = (1u << USIOIF) | (1u << USIPF) | (1u << USIDC) | 0x0Eu;
}

ISR(USI_START_vect)
{
    probe_stats.starts++;
    state = ST_ADDR;
    DDRB &= (uint8_t)~(1u << SDA);
    /* a start: SCL falls next (and the start hold keeps it low); a stop
     * instead: SDA rises while SCL is still high. Decide on SCL, not SDA:
     * a late handler may find SDA already carrying the first address bit. */
    while ((PINB & (1u << SCL)) && !(PINB & (1u << SDA)))
        ;
    uint8_t is_start = !(PINB & (1u << SCL));
    delay_units(probe_regs[14]);
    if (is_start)
        USICR = (1u << USISIE) | (1u << USIOIE) | (1u << USIWM1) | (1u << USIWM0) | (1u << USICS1);
    else
        USICR = (1u << USISIE) | (1u << USIWM1) | (1u << USICS1);
    busy = 1;
    USISR = (1u << USISIF) | (1u << USIOIF) | (1u << USIPF) | (1u << USIDC);
}

ISR(USI_OVF_vect)
{
    probe_stats.overflows++;
    delay_units(probe_regs[15]);
    switch (state) {
    case ST_ADDR: {
        uint8_t a = USIDR;
        probe_stats.dc_at_addr = (USISR >> USIDC) & 1u;
        if ((a >> 1) != SLAVE_ADDR) {
            probe_stats.addr_miss++;
            wait_for_start();
            return;
        }
        if (a & 1u) {
            state = ST_SEND;
        } else {
            state = ST_RECV;
            in_frame = 1;
            first_byte = 1;
        }
        send_ack();
        return;
    }
    case ST_SEND_CHECK:
        if (USIDR & 1u) {           /* NACK: the master is done */
            wait_for_start();
            return;
        }
        /* fall through */
    case ST_SEND:
        USIDR = probe_regs[ptr++ & 15u];
        DDRB |= 1u << SDA;
        USISR = (1u << USIOIF) | (1u << USIPF) | (1u << USIDC);
        state = ST_SEND_ACKED;
        return;
    case ST_SEND_ACKED:
        DDRB &= (uint8_t)~(1u << SDA);
        USIDR = 0;
        USISR = (1u << USIOIF) | (1u << USIPF) | (1u << USIDC) | 0x0Eu;
        state = ST_SEND_CHECK;
        return;
    case ST_RECV:
        DDRB &= (uint8_t)~(1u << SDA);
        USISR = (1u << USIOIF) | (1u << USIPF) | (1u << USIDC);
        state = ST_RECV_GOT;
        return;
    case ST_RECV_GOT: {
        uint8_t b = USIBR;
        if (first_byte) {
            ptr = b & 15u;
            first_byte = 0;
        } else {
            uint8_t r = ptr++ & 15u;
            probe_regs[r] = b;
            if (r == 12 && b == 0xD0u) {
                wdt_enable(WDTO_15MS);
                for (;;)
                    ;
            }
        }
        send_ack();
        state = ST_RECV;
        return;
    }
    }
}

ISR(PCINT0_vect)
{
    probe_stats.pcints++;
}

int main(void)
{
    uint8_t flags = MCUSR;
    MCUSR = 0;
    wdt_disable();
    probe_stats.mcusr = flags;
    probe_stats.boots++;
    probe_noinit++;

    PORTB |= (1u << SDA) | (1u << SCL);
    DDRB |= 1u << SCL;
    USIDR = 0xFFu;
    wait_for_start();
    USISR = 0xF0u;
    PCMSK = 1u << PCINT0;               /* SDA: wakes us for the STOP */
    GIMSK |= 1u << PCIE;
    sei();

    for (;;) {
        cli();
        uint8_t sr = USISR;
        if (sr & (1u << USIPF)) {
            USISR = (uint8_t)((1u << USIPF) | (sr & 0x0Fu));
            probe_stats.stops++;
            if (in_frame)
                probe_stats.frames++;
            in_frame = 0;
            busy = 0;
        }
        if (busy && !probe_regs[13])
            set_sleep_mode(SLEEP_MODE_IDLE);
        else
            set_sleep_mode(SLEEP_MODE_PWR_DOWN);
        sleep_enable();
        sei();
        sleep_cpu();
        sleep_disable();
    }
}
