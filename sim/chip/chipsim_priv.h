/*
 * chipsim's own insides, shared by its files and by nothing else:
 * chipsim.c (the chip, its bus and pins), sleep.c (sleep accounting and the
 * sleep-mode checker) and timing.c (the silicon's clocks). Users of chipsim
 * include chipsim.h only.
 *
 * This file links libsimavr (GPL-3): binaries that include it are GPL-3.
 */
#ifndef EXTWD_CHIPSIM_PRIV_H
#define EXTWD_CHIPSIM_PRIV_H

#include "chipsim.h"
#include "i2c_master.h"
#include "twi_master.h"
#include "fw_elf.h"
#include "../parts/usi.h"
#include "../parts/wires.h"

#include <simavr/sim_avr.h>
#include <simavr/sim_io.h>
#include <simavr/avr_watchdog.h>

struct master_ops;

enum mcu_kind { MCU_TINY85, MCU_MEGA328 };

/* Per-MCU constants: data-space register addresses and vector numbers. */
struct mcu_desc {
    const char *name;
    enum mcu_kind kind;
    avr_io_addr_t mcusr, mcucr, smreg, pud_reg;
    uint8_t pud_bit;
    char bus_port;
    uint8_t sda_bit, scl_bit;
    char pin_port;
    uint8_t reset_bit, pretimeout_bit, factory_bit;
};


/* ATtiny85 */
#define T85_USICR 0x2D
#define T85_USISR 0x2E
#define T85_USIDR 0x2F
#define T85_USIBR 0x30
#define T85_PORTB 0x38
#define T85_DDRB  0x37
#define T85_PRR   0x40
/* ATmega328P */
#define M328_TWCR  0xBC
#define M328_EICRA 0x69
#define M328_ASSR  0xB6

/* Silicon's wake-up halt: an interrupt from any sleep mode takes 4 more
 * cycles ("Interrupt Response Time" in both datasheets). */
#define WAKE_HALT_CK 4u

#define MCUSR_PORF 0x01u
#define MCUSR_BORF 0x04u

struct wake_hook {
    struct chipsim *cs;
    avr_int_vector_t *vec;
};

struct chipsim {
    avr_t *avr;
    const struct mcu_desc *d;
    char mcu[16];
    uint32_t freq;                  /* F_CPU from the ELF: CPU cycles per nominal second */
    uint32_t hz;                    /* CPU cycles per true second (the RC's error applied) */
    struct chipsim_config cfg;

    /* silicon timing: the watchdog's period follows its own oscillator */
    avr_watchdog_t *wdt;            /* simavr's watchdog; NULL when its clock is exact */
    avr_io_write_t wdt_orig;        /* its control register's write handler */
    void *wdt_orig_param;
    avr_cycle_timer_t wdt_timer;    /* its period timer, learnt when first registered */
    /* wake-up from sleep: the CPU stands still until wake_until */
    void (*run_orig)(avr_t *avr);
    uint64_t wake_until;
    uint32_t wake_pd_cycles;        /* from power-down: start-up clocks + BOD + halt */
    uint64_t wake_cycles, wakeups;

    struct wires wires;
    int w_sig[CHIPSIM_SIG_COUNT];   /* wire index of each signal */
    int w_factory;
    struct usi usi;
    struct i2c_master bit;
    struct twi_master twi;
    struct i2c_bus_ops ops;

    avr_io_t reset_io;              /* last in simavr's reset order */
    avr_io_write_t twcr_orig;       /* TWCR write handler we chain behind */
    void *twcr_orig_param;
    uint8_t reset_cause;            /* MCUSR flag of a reset we start */
    uint8_t mcusr;                  /* MCUSR as the chip last had it */
    uint32_t chip_resets;
    int ready;
    int inited;                     /* avr_init ran: avr_terminate is due */
    int reset_seen;

    int asleep;
    uint8_t sleep_mode;
    uint64_t slept, slept_idle, sleeps;
    uint32_t sleep_errors;
    char sleep_error[192];
    struct wake_hook *wake;
    int nwake;

    chipsim_edge_fn edge_fn;
    void *edge_ctx;

    struct fw_elf elf;              /* symbols and the core layout */
    uint32_t g_wd_addr;
    int core_ok;
    uint32_t rng;

    /* the bus master, chosen once at chipsim_open: bit-level (USI) or message-level (TWI) */
    const struct master_ops *master;
    void *master_ctx;
    uint64_t addr_nack_cycles;      /* START, address, NACK and STOP at the bus clock */

    int unpowered;                  /* chipsim_power(cs, 0): no supply, every pin high-Z */
    uint64_t off_cycles;            /* clock cycles spent unpowered */

    uint32_t hang_pc;               /* flash byte address patched by chipsim_hang_main_loop */
    uint8_t hang_saved[2];
    int hung;
};

/* ---- sleep.c ---- */

/* simavr's sleep hook: counts the sleep, its mode, and a mode silicon
 * would refuse. */
void chipsim_on_sleep(avr_t *avr, avr_cycle_count_t how_long);

/* Replaces avr->run: holds the CPU for the wake-up time, timers running. */
void chipsim_run_waking(avr_t *avr);

/* Watches every interrupt vector for the one that wakes the CPU. Returns 0,
 * or -1 when out of memory. */
int chipsim_hook_wakeups(struct chipsim *cs);

/* ---- timing.c ---- */

/* Applies cs->cfg's silicon timing (RC and watchdog errors, drift, wake-up
 * time). Returns 0, or -1 with err filled. */
int chipsim_setup_timing(struct chipsim *cs, char *err, size_t errlen);

/* Puts the modelled watchdog period in simavr's watchdog after it set its
 * own (each control write and each reset). */
void chipsim_wdt_correct(struct chipsim *cs);

#endif /* EXTWD_CHIPSIM_PRIV_H */
