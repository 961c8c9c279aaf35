/*
 * chipsim: one extwd chip, the real firmware ELF, running in simavr with its
 * I2C bus, reset line and pins, on one clock of simulated CPU cycles.
 *
 * Used by the firmware-in-the-loop tests and by extwd-sim. Nothing here waits
 * in real time: when the firmware sleeps, the clock jumps to the next event.
 *
 * ATtiny85: simavr 1.6 has no USI, so sim/parts/usi models it and a
 * bit-level master (sim/chip/i2c_master) drives SDA and SCL with clock
 * stretching and the master's stretch limit. ATmega328P: simavr's TWI, driven
 * message by message (its quirks are in sim/chip/twi_master.h).
 *
 * This file links libsimavr (GPL-3): binaries that include it are GPL-3.
 */
#ifndef EXTWD_CHIPSIM_H
#define EXTWD_CHIPSIM_H

#include <stddef.h>
#include <stdint.h>

/* Results of bus transactions; they map one to one onto EXTWD_E_* (extwd.h). */
#define CHIPSIM_OK            0
#define CHIPSIM_E_NACK_DATA  -1  /* EXTWD_E_IO */
#define CHIPSIM_E_NACK_ADDR  -2  /* EXTWD_E_NODEV */
#define CHIPSIM_E_STRETCH   -10  /* the chip held SCL past the master's limit (EXTWD_E_IO) */
#define CHIPSIM_E_BUS       -11  /* a line is stuck low, or the master lost arbitration (EXTWD_E_IO) */
#define CHIPSIM_E_CRASHED   -12  /* the simulated CPU stopped (bad opcode, sleep with interrupts off) */

struct chipsim_config {
    const char *elf_path;
    uint32_t i2c_hz;            /* bit-level bus clock; 0 = 100000 */
    uint32_t stretch_limit_us;  /* master gives up after this; 0 = 230 (ESP8266 default); UINT32_MAX = never */
    const uint8_t *eeprom;      /* initial EEPROM contents; NULL = erased (0xFF) */
    size_t eeprom_len;
    uint32_t ram_seed;          /* power-up SRAM garbage is drawn from this seed */
    /* Silicon timing (sim/README.md, "Silicon timing"). All zero: the perfect
     * clocks of simavr, and every output as before. */
    int32_t rc_error_ppm;       /* the 8 MHz RC runs this much fast (+) or slow (-) of
                                   nominal: CPU, Timer0, USI/TWI and EEPROM all follow it;
                                   -500000..+500000 */
    int32_t wdt_error_ppm;      /* the 128 kHz watchdog oscillator's own error; -500000..+500000 */
    int32_t wdt_drift_ppm_per_h;/* the watchdog oscillator's error moves by this much per hour
                                   of true time (temperature, supply) */
    uint32_t wakeup_us;         /* wake-up from power-down beyond the start-up clocks (silicon
                                   with the BOD off in sleep: ~60 us, true time) */
    uint32_t wakeup_ck;         /* start-up clocks from power-down (lfuse 0xE2: 6 CK) */
};

struct chipsim;

/* Loads the ELF (MCU and clock from its .mmcu section), builds the chip and
 * its bus, and powers it up. On failure writes a one-line reason to err and
 * returns a negative number; *out is then NULL. Returns 0 on success. */
int chipsim_open(struct chipsim **out, const struct chipsim_config *cfg,
                 char *err, size_t errlen);

/* Frees everything chipsim_open made. */
void chipsim_close(struct chipsim *cs);

/* Returns the MCU name ("attiny85", "atmega328p"). */
const char *chipsim_mcu(const struct chipsim *cs);

/* Returns the CPU clock in Hz of true time: the ELF's F_CPU with the RC's
 * error (cfg.rc_error_ppm). Divide a cycle count by it to get seconds. */
uint32_t chipsim_freq(const struct chipsim *cs);

/* Returns the watchdog oscillator's error now, in ppm (cfg.wdt_error_ppm
 * plus the drift so far). */
int32_t chipsim_wdt_error_ppm(const struct chipsim *cs);

/* Returns the clock: CPU cycles since power-up (monotonic across chip resets). */
uint64_t chipsim_cycles(const struct chipsim *cs);

/* Returns the clock in microseconds of true time. */
uint64_t chipsim_us(const struct chipsim *cs);

/* Runs the chip until the clock reaches the given cycle / for us more
 * microseconds. Returns 0 or CHIPSIM_E_CRASHED. */
int chipsim_run_until(struct chipsim *cs, uint64_t cycle);
int chipsim_run_us(struct chipsim *cs, uint64_t us);

/* ---- the bus, as its master ------------------------------------------------- */

/* Each call runs the chip while the transaction goes by on the bus and
 * returns when it is over (STOP sent). Returns CHIPSIM_OK or CHIPSIM_E_*. */
int chipsim_i2c_write(struct chipsim *cs, uint8_t addr, const uint8_t *buf, size_t len);
int chipsim_i2c_read(struct chipsim *cs, uint8_t addr, uint8_t *buf, size_t len);
/* Write, repeated START, read. */
int chipsim_i2c_write_read(struct chipsim *cs, uint8_t addr, const uint8_t *w, size_t wlen,
                           uint8_t *r, size_t rlen);
/* Sends START, the address and bits_before_abort bits of buf, then stops
 * driving (as a master that is reset mid-transaction) and leaves both lines
 * released. Returns CHIPSIM_OK when the bits went out. */
int chipsim_i2c_write_abort(struct chipsim *cs, uint8_t addr, const uint8_t *buf, size_t len,
                            unsigned bits_before_abort);

/* Extension: START, the address for a read, then bits_before_abort clocks
 * of the chip's data (the chip drives SDA), then the master stops driving,
 * leaving SCL released and the chip wherever it was in its byte: a master
 * reset in the middle of a read. On the ATmega328P (message-level TWI) only
 * the address goes out and no STOP follows. Returns CHIPSIM_OK when the
 * bits went out. */
int chipsim_i2c_read_abort(struct chipsim *cs, uint8_t addr, unsigned bits_before_abort);

/* ---- lines and pins ------------------------------------------------------------ */

enum chipsim_signal {
    CHIPSIM_SIG_RESET = 0,      /* the chip's reset output to the host (1 = released) */
    CHIPSIM_SIG_PRETIMEOUT,     /* the pretimeout output (1 = released) */
    CHIPSIM_SIG_SDA,
    CHIPSIM_SIG_SCL,
    CHIPSIM_SIG_COUNT
};

/* Returns the level of a line now, as the wired-AND bus or pin shows it. */
int chipsim_level(const struct chipsim *cs, enum chipsim_signal sig);

/* Called at the exact cycle of every edge of every signal. One per chip. */
typedef void (*chipsim_edge_fn)(void *ctx, enum chipsim_signal sig, int level, uint64_t cycle);
void chipsim_on_edge(struct chipsim *cs, chipsim_edge_fn fn, void *ctx);

/* Holds the factory-reset input low (1) or releases it (0). */
void chipsim_factory_pin(struct chipsim *cs, int low);

/* ---- faults ----------------------------------------------------------------------- */

/* Another device holds SDA or SCL low (1) or lets go (0). */
void chipsim_hold_low(struct chipsim *cs, enum chipsim_signal sda_or_scl, int low);

/* The supply dips: the chip resets with the brown-out flag; RAM is kept. */
void chipsim_brownout(struct chipsim *cs);

/* The supply goes away and comes back: the chip resets with the power-on
 * flag and its RAM filled with garbage drawn from seed. */
void chipsim_power_cycle(struct chipsim *cs, uint32_t seed);

/* Switches the chip's supply off (0) or on (1), the rest of the board
 * powered: off, every pin is high-Z (the host's reset line stays released,
 * the address is NACKed), nothing runs and the clock moves on; on, the chip
 * starts as from chipsim_power_cycle (power-on flag, RAM garbage from seed).
 * A chip absent from the board is one that is never switched on. */
void chipsim_power(struct chipsim *cs, int on, uint32_t seed);

/* Returns 1 while the chip has its supply (the default), else 0. */
int chipsim_powered(const struct chipsim *cs);

/* The firmware hangs in its main loop with interrupts still on: runs the chip
 * until its CPU sleeps in the main loop (at most one simulated second), then
 * makes the instruction after the SLEEP jump to itself, so interrupts are
 * served but the loop never runs again, after a reset too, until
 * chipsim_unhang. Returns 0, or -1 if the CPU never slept that way. */
int chipsim_hang_main_loop(struct chipsim *cs);

/* Puts back the instruction chipsim_hang_main_loop replaced. */
void chipsim_unhang(struct chipsim *cs);

/* Reads or overwrites the chip's EEPROM (to inspect or corrupt it).
 * Return 0, or -1 if the range is outside the EEPROM. */
int chipsim_eeprom_read(const struct chipsim *cs, uint16_t off, uint8_t *buf, size_t n);
int chipsim_eeprom_write(struct chipsim *cs, uint16_t off, const uint8_t *buf, size_t n);

/* ---- observation -------------------------------------------------------------- */

struct chipsim_stats {
    uint64_t cycles;            /* total */
    uint64_t awake_cycles;      /* cycles the CPU was not sleeping */
    uint64_t sleeps;            /* SLEEP instructions that slept */
    uint32_t sleep_mode_errors; /* wake-ups from a source that cannot wake that sleep mode on silicon */
    uint32_t max_stretch_us;    /* longest time the chip held SCL low (ATmega328P: held the
                                   bus with TWINT set beyond the byte's nominal 9 us) */
    uint64_t bus_bytes;         /* bytes that went over the bus, address bytes included */
    uint32_t chip_resets;       /* resets of the chip itself (watchdog, brown-out, power) */
    /* extensions (simchip): */
    uint64_t idle_cycles;       /* part of the sleeping cycles spent in idle or ADC noise
                                   reduction (clocks running), not power-down */
    uint32_t max_reply_us;      /* TWI only: longest wait for the chip to answer a byte */
    uint32_t contentions;       /* a line the chip drove high while something pulled it low */
    uint64_t last_stop_cycle;   /* cycle of the last STOP the master put on the bus */
    uint64_t wakeup_cycles;     /* cycles spent waking up from sleep (start-up clocks, the
                                   BOD's restart, the 4-cycle halt): not in awake_cycles */
    uint64_t wakeups;           /* wake-ups from power-down */
};

/* Fills st. */
void chipsim_stats(const struct chipsim *cs, struct chipsim_stats *st);

/* Returns a one-line description of the first sleep-mode error (which mode,
 * which interrupt, at which cycle), or NULL if there was none. */
const char *chipsim_sleep_error(const struct chipsim *cs);

/* Reads / writes n bytes at offset off of the firmware variable named symbol
 * (an object in the ELF's symbol table), straight from or into chip RAM.
 * Return 0, or -1 if there is no such symbol or the range is outside it. */
int chipsim_ram_read(const struct chipsim *cs, const char *symbol, uint32_t off,
                     void *buf, size_t n);
int chipsim_ram_write(struct chipsim *cs, const char *symbol, uint32_t off,
                      const void *buf, size_t n);

/* The firmware's own view of the watchdog, read from its RAM (the ELF's
 * g_wd symbol, struct wd_core in firmware/core/wd_core.h) without touching
 * the bus. */
struct chipsim_core_view {
    uint8_t armed;
    uint8_t in_grace;
    uint8_t in_pulse;
    uint32_t timeout_ms;
    uint32_t since_feed_ms;
    uint32_t grace_left_ms;
};

/* Fills v. Returns 0, or -1 if the ELF has no g_wd symbol. */
int chipsim_core_view(const struct chipsim *cs, struct chipsim_core_view *v);

#endif /* EXTWD_CHIPSIM_H */
