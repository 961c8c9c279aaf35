/*
 * chipsim: the extwd chip (real firmware ELF) in simavr 1.6, with its bus
 * and pins. See chipsim.h; its sleep accounting and sleep-mode checker are
 * in sleep.c, its silicon clocks in timing.c.
 *
 * This file links libsimavr (GPL-3): binaries that include it are GPL-3.
 */
#include "chipsim.h"
#include "chipsim_priv.h" /* struct chipsim; the masters, the ELF reader and the parts */

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <simavr/sim_avr.h>
#include <simavr/sim_elf.h>
#include <simavr/sim_io.h>
#include <simavr/sim_regbit.h>
#include <simavr/sim_interrupts.h>
#include <simavr/sim_cycle_timers.h>
#include <simavr/avr_eeprom.h>
#include <simavr/avr_twi.h>
#include <simavr/avr_watchdog.h>

/* The chip view reads struct wd_core where the firmware's own ELF says its
 * fields are (.extwd_layout, firmware/common/core_layout.h), not through a
 * mirror of the struct. */
#include "wd_core.h"
#include "core_layout.h"

static const struct mcu_desc MCUS[] = {
    { "attiny85",   MCU_TINY85,  0x54, 0x55, 0x55, 0x55, 6, 'B', 0, 2, 'B', 1, 4, 3 },
    { "atmega328p", MCU_MEGA328, 0x54, 0x55, 0x53, 0x55, 4, 'C', 4, 5, 'B', 1, 2, 0 },
};


/* ---- small helpers ------------------------------------------------------------ */

static uint32_t rng_next(uint32_t *s)
{
    uint32_t x = *s ? *s : 0x9E3779B9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

static void logger(avr_t *avr, const int level, const char *fmt, va_list ap)
{
    (void)avr;
    if (level > LOG_ERROR)
        return;
    if (level == LOG_OUTPUT)
        return;
    fputs("simavr: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* ---- the bus as the masters see it ------------------------------------------- */

static int sig_of_line(int line)
{
    return line == I2C_SDA ? CHIPSIM_SIG_SDA : CHIPSIM_SIG_SCL;
}

static void ops_pull(void *ctx, int line, int low)
{
    struct chipsim *cs = ctx;
    wires_pull(&cs->wires, cs->w_sig[sig_of_line(line)], WIRE_BY_MASTER, low);
}

static int ops_level(void *ctx, int line)
{
    struct chipsim *cs = ctx;
    return wires_level(&cs->wires, cs->w_sig[sig_of_line(line)]);
}

static uint64_t ops_now(void *ctx)
{
    return ((struct chipsim *)ctx)->avr->cycle;
}

/* Fires at the deadline and then every cycle until cancelled: if the timer
 * fired and the CPU went to sleep in the same step, the sleep must still end
 * at once (an empty timer list would let simavr sleep 1000 cycles). */
static avr_cycle_count_t stop_timer(struct avr_t *avr, avr_cycle_count_t when, void *param)
{
    (void)avr; (void)param;
    return when + 1;
}

static int crashed(const struct chipsim *cs)
{
    int st = cs->avr->state;
    return st == cpu_Done || st == cpu_Crashed || st == cpu_Stopped;
}

/* Runs the chip until cycle `until` or until done(arg). The stop timer keeps
 * a sleeping chip from jumping past the deadline. */
static int ops_run(void *ctx, uint64_t until, int (*done)(void *), void *arg)
{
    struct chipsim *cs = ctx;
    avr_t *avr = cs->avr;
    if (crashed(cs))
        return CHIPSIM_E_CRASHED;
    if (done && done(arg))
        return 1;
    if (avr->cycle >= until)
        return 0;
    if (cs->unpowered) { /* nothing runs: the clock only moves on */
        cs->off_cycles += until - avr->cycle;
        avr->cycle = until;
        return done && done(arg) ? 1 : 0;
    }
    avr_cycle_timer_register(avr, until - avr->cycle, stop_timer, cs);
    int r = 0;
    for (;;) {
        cs->reset_seen = 0;
        avr_run(avr);
        if (crashed(cs)) {
            r = CHIPSIM_E_CRASHED;
            break;
        }
        if (done && done(arg)) {
            r = 1;
            break;
        }
        if (avr->cycle >= until)
            break;
        if (cs->reset_seen) /* a reset dropped every cycle timer */
            avr_cycle_timer_register(avr, until - avr->cycle, stop_timer, cs);
    }
    avr_cycle_timer_cancel(avr, stop_timer, cs);
    return r;
}

/* ---- wires: drives and edges ---------------------------------------------------- */

static enum wire_drive drive_t85(void *ctx, int index)
{
    struct chipsim *cs = ctx;
    int gpio = 1;
    enum wire_drive d = WIRE_RELEASED;
    if (index == cs->w_sig[CHIPSIM_SIG_SDA])
        d = usi_drive(&cs->usi, 0, &gpio);
    else if (index == cs->w_sig[CHIPSIM_SIG_SCL])
        d = usi_drive(&cs->usi, 1, &gpio);
    else if (index == cs->w_sig[CHIPSIM_SIG_RESET])
        d = usi_do_drive(&cs->usi, &gpio);
    return gpio ? wires_gpio_drive(&cs->wires, index) : d;
}

static enum wire_drive drive_m328_bus(void *ctx, int index)
{
    struct chipsim *cs = ctx;
    enum wire_drive d = wires_gpio_drive(&cs->wires, index);
    if (cs->avr->data[M328_TWCR] & 0x04u) /* TWEN: the TWI owns the pin, open drain */
        return d == WIRE_PULLUP ? WIRE_PULLUP : (d == WIRE_HIGH ? WIRE_PULLUP : WIRE_RELEASED);
    return d;
}

/* simavr 1.6 keeps TWINT set when software writes one to it (the TWI
 * vector is raise_sticky, and avr_clear_interrupt leaves sticky flags
 * alone); on silicon the write clears it. A firmware that polls TWINT would
 * see every status twice. Clear it after simavr's own handler: simavr raises
 * the next status from a timer, never inside this write. */
static void twcr_write(struct avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param)
{
    struct chipsim *cs = param;
    if (cs->twcr_orig)
        cs->twcr_orig(avr, addr, v, cs->twcr_orig_param);
    else
        avr->data[addr] = v;
    if (v & 0x80u)
        avr->data[addr] &= (uint8_t)~0x80u;
}

static void usi_changed(void *ctx)
{
    wires_update(&((struct chipsim *)ctx)->wires);
}

static void on_wire_edge(void *ctx, int index, int level)
{
    struct chipsim *cs = ctx;
    for (int s = 0; s < CHIPSIM_SIG_COUNT; s++) {
        if (cs->w_sig[s] != index)
            continue;
        if (cs->d->kind == MCU_TINY85 && (s == CHIPSIM_SIG_SDA || s == CHIPSIM_SIG_SCL))
            usi_line_edge(&cs->usi, s == CHIPSIM_SIG_SDA ? 0 : 1, level);
        if (cs->edge_fn && cs->ready)
            cs->edge_fn(cs->edge_ctx, (enum chipsim_signal)s, level, cs->avr->cycle);
    }
}


/* ---- resets ----------------------------------------------------------------------- */

static void mcusr_write(struct avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param)
{
    struct chipsim *cs = param;
    avr->data[addr] = (uint8_t)(avr->data[addr] & v);  /* flags only clear */
    cs->mcusr = avr->data[addr];
}

/* simavr resets its modules newest first; this one is registered before the
 * core's, so it runs last, after the port and watchdog resets. */
static void after_reset(avr_io_t *io)
{
    struct chipsim *cs = io->avr->custom.data;
    if (!cs || !cs->ready)
        return;
    avr_t *avr = cs->avr;
    uint8_t flags = (uint8_t)(avr->data[cs->d->mcusr] | cs->reset_cause);
    if (cs->reset_cause != MCUSR_PORF)
        flags |= cs->mcusr;             /* flags stay until software clears them */
    avr->data[cs->d->mcusr] = flags;
    cs->mcusr = flags;
    cs->reset_cause = 0;
    if (!cs->unpowered) /* losing the supply is not a reset the chip goes through */
        cs->chip_resets++;
    cs->reset_seen = 1;
    cs->asleep = 0;
    cs->wake_until = 0;
    if (cs->wdt)
        chipsim_wdt_correct(cs);
    if (cs->d->kind == MCU_TINY85)
        usi_reset(&cs->usi, wires_level(&cs->wires, cs->w_sig[CHIPSIM_SIG_SDA]),
                  wires_level(&cs->wires, cs->w_sig[CHIPSIM_SIG_SCL]));
    wires_after_reset(&cs->wires);
}

static void custom_init(avr_t *avr, void *data)
{
    struct chipsim *cs = data;
    memset(&cs->reset_io, 0, sizeof(cs->reset_io));
    cs->reset_io.kind = "chipsim";
    cs->reset_io.reset = after_reset;
    avr_register_io(avr, &cs->reset_io);
}

static void fill_garbage(struct chipsim *cs, uint32_t seed)
{
    avr_t *avr = cs->avr;
    cs->rng = seed ? seed : 1u;
    for (int i = 0; i < 32; i++)
        avr->data[i] = (uint8_t)rng_next(&cs->rng);
    for (uint32_t a = (uint32_t)avr->ioend + 1u; a <= avr->ramend; a++)
        avr->data[a] = (uint8_t)rng_next(&cs->rng);
}

/* ---- setup ---------------------------------------------------------------------------- */

static int setup_wires(struct chipsim *cs)
{
    const struct mcu_desc *d = cs->d;
    struct wires *ws = &cs->wires;
    wires_init(ws, cs->avr, d->pud_reg, d->pud_bit);
    wire_drive_fn bus = d->kind == MCU_TINY85 ? drive_t85 : drive_m328_bus;
    wire_drive_fn pin = d->kind == MCU_TINY85 ? drive_t85 : NULL;
    /* SDA before SCL: when both move at once, SDA's change is seen first */
    cs->w_sig[CHIPSIM_SIG_SDA] = wires_add(ws, d->bus_port, d->sda_bit, 1, bus, cs);
    cs->w_sig[CHIPSIM_SIG_SCL] = wires_add(ws, d->bus_port, d->scl_bit, 1, bus, cs);
    /* the host's RST and the pretimeout input have pull-ups; the factory
     * button has none: the firmware must enable its own */
    cs->w_sig[CHIPSIM_SIG_RESET] = wires_add(ws, d->pin_port, d->reset_bit, 1, pin, cs);
    cs->w_sig[CHIPSIM_SIG_PRETIMEOUT] = wires_add(ws, d->pin_port, d->pretimeout_bit, 1, pin, cs);
    cs->w_factory = wires_add(ws, d->pin_port, d->factory_bit, 0, pin, cs);
    for (int s = 0; s < CHIPSIM_SIG_COUNT; s++)
        if (cs->w_sig[s] < 0)
            return -1;
    if (cs->w_factory < 0)
        return -1;
    if (d->kind == MCU_MEGA328) {
        if (wires_watch(ws, M328_TWCR))
            return -1;
        avr_io_addr_t a = AVR_DATA_TO_IO(M328_TWCR);
        cs->twcr_orig = cs->avr->io[a].w.c;
        cs->twcr_orig_param = cs->avr->io[a].w.param;
        cs->avr->io[a].w.c = twcr_write;
        cs->avr->io[a].w.param = cs;
    }
    wires_on_edge(ws, on_wire_edge, cs);
    return 0;
}

/* ---- the two bus masters, one table each ------------------------------------------------ */

struct master_ops {
    int (*write)(void *m, uint8_t addr, const uint8_t *buf, size_t len);
    int (*read)(void *m, uint8_t addr, uint8_t *buf, size_t len);
    int (*write_read)(void *m, uint8_t addr, const uint8_t *w, size_t wlen, uint8_t *r, size_t rlen);
    int (*write_abort)(void *m, uint8_t addr, const uint8_t *buf, size_t len, unsigned bits);
    int (*read_abort)(void *m, uint8_t addr, unsigned bits);
};

static int bit_write(void *m, uint8_t a, const uint8_t *b, size_t n) { return i2c_master_write(m, a, b, n); }
static int bit_read(void *m, uint8_t a, uint8_t *b, size_t n) { return i2c_master_read(m, a, b, n); }
static int bit_write_read(void *m, uint8_t a, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    return i2c_master_write_read(m, a, w, wn, r, rn);
}
static int bit_write_abort(void *m, uint8_t a, const uint8_t *b, size_t n, unsigned bits)
{
    return i2c_master_write_abort(m, a, b, n, bits);
}
static int bit_read_abort(void *m, uint8_t a, unsigned bits) { return i2c_master_read_abort(m, a, bits); }

static int twi_write(void *m, uint8_t a, const uint8_t *b, size_t n) { return twi_master_write(m, a, b, n); }
static int twi_read(void *m, uint8_t a, uint8_t *b, size_t n) { return twi_master_read(m, a, b, n); }
static int twi_write_read(void *m, uint8_t a, const uint8_t *w, size_t wn, uint8_t *r, size_t rn)
{
    return twi_master_write_read(m, a, w, wn, r, rn);
}
static int twi_write_abort(void *m, uint8_t a, const uint8_t *b, size_t n, unsigned bits)
{
    return twi_master_write_abort(m, a, b, n, bits);
}
/* message-level: only the address goes out (chipsim.h) */
static int twi_read_abort(void *m, uint8_t a, unsigned bits) { (void)bits; return twi_master_read_abort(m, a); }

static const struct master_ops bit_master = {
    bit_write, bit_read, bit_write_read, bit_write_abort, bit_read_abort,
};
static const struct master_ops twi_master = {
    twi_write, twi_read, twi_write_read, twi_write_abort, twi_read_abort,
};

int chipsim_open(struct chipsim **out, const struct chipsim_config *cfg, char *err, size_t errlen)
{
    *out = NULL;
    if (!cfg || !cfg->elf_path) {
        fw_errf(err, errlen, "chipsim: no firmware ELF given");
        return -1;
    }
    struct chipsim *cs = calloc(1, sizeof(*cs));
    if (!cs) {
        fw_errf(err, errlen, "chipsim: out of memory");
        return -1;
    }
    cs->cfg = *cfg;
    const char *path = cfg->elf_path;
    if (fw_elf_read(&cs->elf, path, err, errlen))
        goto fail;
    snprintf(cs->mcu, sizeof cs->mcu, "%s", cs->elf.mcu);
    cs->freq = cs->elf.freq;
    for (size_t i = 0; i < sizeof(MCUS) / sizeof(MCUS[0]); i++)
        if (!strcmp(MCUS[i].name, cs->mcu))
            cs->d = &MCUS[i];
    if (!cs->d) {
        fw_errf(err, errlen, "%s: MCU '%s' is not supported (attiny85, atmega328p)", path, cs->mcu);
        goto fail;
    }

    avr_global_logger_set(logger);
    elf_firmware_t *fw = calloc(1, sizeof(*fw));
    if (!fw || elf_read_firmware(path, fw)) {
        free(fw);
        fw_errf(err, errlen, "%s: simavr could not load the ELF", path);
        goto fail;
    }
    cs->avr = avr_make_mcu_by_name(cs->mcu);
    if (!cs->avr || fw->flashsize > cs->avr->flashend + 1u) {
        fw_errf(err, errlen, cs->avr ? "%s: code does not fit the %s flash" : "%s: simavr has no %s",
             path, cs->mcu);
        free(fw->flash);
        free(fw->eeprom);
        free(fw);
        goto fail;
    }
    cs->avr->custom.init = custom_init;
    cs->avr->custom.data = cs;
    avr_init(cs->avr);
    cs->inited = 1;
    avr_load_firmware(cs->avr, fw);
    cs->avr->frequency = cs->freq;
    free(fw->flash);
    free(fw->eeprom);
    free(fw->fuse);
    free(fw->lockbits);
#if ELF_SYMBOLS
    for (uint32_t i = 0; i < fw->symbolcount; i++)
        free(fw->symbol[i]);
    free(fw->symbol);
#endif
    free(fw);

    avr_t *avr = cs->avr;
    avr->sleep = chipsim_on_sleep;
    avr->log = LOG_ERROR;
    if (chipsim_setup_timing(cs, err, errlen))
        goto fail;

    if (cfg->eeprom && cfg->eeprom_len) {
        if (cfg->eeprom_len > avr->e2end + 1u) {
            fw_errf(err, errlen, "%s: EEPROM image of %zu bytes is larger than the %s EEPROM (%u)",
                 path, cfg->eeprom_len, cs->mcu, avr->e2end + 1u);
            goto fail;
        }
        chipsim_eeprom_write(cs, 0, cfg->eeprom, cfg->eeprom_len);
    }

    if (cs->d->kind == MCU_TINY85) {
        struct usi_config uc = {
            .r_usicr = T85_USICR, .r_usisr = T85_USISR, .r_usidr = T85_USIDR, .r_usibr = T85_USIBR,
            .r_port = T85_PORTB, .r_ddr = T85_DDRB, .r_prr = T85_PRR, .prusi_bit = 1,
            .sda_bit = 0, .scl_bit = 2, .do_bit = 1, .vec_start = 13, .vec_ovf = 14,
        };
        usi_init(&cs->usi, avr, &uc, usi_changed, cs);
    }
    if (setup_wires(cs)) {
        fw_errf(err, errlen, "%s: could not wire the %s pins", path, cs->mcu);
        goto fail;
    }
    avr_register_io_write(avr, cs->d->mcusr, mcusr_write, cs);
    if (chipsim_hook_wakeups(cs)) {
        fw_errf(err, errlen, "chipsim: out of memory");
        goto fail;
    }

    cs->ops.pull = ops_pull;
    cs->ops.level = ops_level;
    cs->ops.now = ops_now;
    cs->ops.run = ops_run;
    uint32_t hz = cfg->i2c_hz ? cfg->i2c_hz : 100000u;
    uint32_t limit = cfg->stretch_limit_us ? cfg->stretch_limit_us : 230u;
    cs->addr_nack_cycles = (uint64_t)cs->hz * 11u / hz; /* START + 8 bits + ACK slot + STOP */
    if (cs->d->kind == MCU_TINY85) {
        cs->master = &bit_master;
        cs->master_ctx = &cs->bit;
        if (i2c_master_init(&cs->bit, &cs->ops, cs, cs->hz, hz, limit)) {
            fw_errf(err, errlen, "chipsim: I2C clock %u Hz is too fast for a %u Hz chip", hz, cs->hz);
            goto fail;
        }
    } else if (twi_master_init(&cs->twi, avr, &cs->ops, cs, cs->hz, hz, limit)) {
        fw_errf(err, errlen, "%s: simavr's %s has no TWI", path, cs->mcu);
        goto fail;
    } else {
        cs->master = &twi_master;
        cs->master_ctx = &cs->twi;
    }

    const struct fw_sym *g = fw_elf_sym(&cs->elf, "g_wd");
    cs->core_ok = g && cs->elf.layout.version == WD_CORE_LAYOUT_VERSION &&
                  g->size == (uint32_t)(cs->elf.layout.size_lo | cs->elf.layout.size_hi << 8);
    cs->g_wd_addr = g ? g->addr : 0;

    /* power-up: SRAM and registers hold whatever the cells settled to */
    fill_garbage(cs, cfg->ram_seed);
    avr->data[cs->d->mcusr] = MCUSR_PORF;
    cs->mcusr = MCUSR_PORF;
    cs->ready = 1;
    wires_after_reset(&cs->wires);
    *out = cs;
    return 0;
fail:
    chipsim_close(cs);
    return -1;
}

void chipsim_close(struct chipsim *cs)
{
    if (!cs)
        return;
    if (cs->avr && !cs->inited) {
        free(cs->avr);
    } else if (cs->avr) {
        /* avr_terminate frees the modules' IRQs but not the interrupt
         * vectors' ones nor the IRQ pool: free them too, so that programs
         * using chipsim run clean under LeakSanitizer */
        avr_int_table_p t = &cs->avr->interrupts;
        for (int i = 0; i < t->vector_count; i++)
            avr_free_irq(t->vector[i]->irq, AVR_INT_IRQ_COUNT);
        avr_free_irq(t->irq, AVR_INT_IRQ_COUNT);
        for (int a = 0; a < MAX_IOs; a++)
            if (cs->avr->io[a].irq) {
                avr_free_irq(cs->avr->io[a].irq, 9);    /* from avr_iomem_getirq */
                cs->avr->io[a].irq = NULL;
            }
        avr_terminate(cs->avr);
        free(cs->avr->irq_pool.irq);
        free(cs->avr);
    }
    free(cs->wake);
    fw_elf_free(&cs->elf);
    free(cs);
}

const char *chipsim_mcu(const struct chipsim *cs) { return cs->mcu; }
uint32_t chipsim_freq(const struct chipsim *cs) { return cs->hz; }
uint64_t chipsim_cycles(const struct chipsim *cs) { return cs->avr->cycle; }

uint64_t chipsim_us(const struct chipsim *cs)
{
    return cs->avr->cycle * 1000000u / cs->hz;
}

int chipsim_run_until(struct chipsim *cs, uint64_t cycle)
{
    int r = ops_run(cs, cycle, NULL, NULL);
    return r < 0 ? r : CHIPSIM_OK;
}

int chipsim_run_us(struct chipsim *cs, uint64_t us)
{
    return chipsim_run_until(cs, cs->avr->cycle + us * cs->hz / 1000000u);
}

/* ---- bus ------------------------------------------------------------------------------- */

/* Refuses a transaction the chip cannot take part in: a stopped CPU, or no
 * supply, where nothing holds SDA low in the address's ACK slot, so the
 * master sees a NACK after START + 9 clocks + STOP. Returns 0 to go on. */
static int bus_gate(struct chipsim *cs)
{
    if (crashed(cs))
        return CHIPSIM_E_CRASHED;
    if (cs->unpowered) {
        int r = ops_run(cs, cs->avr->cycle + cs->addr_nack_cycles, NULL, NULL);
        return r < 0 ? r : CHIPSIM_E_NACK_ADDR;
    }
    return 0;
}

int chipsim_i2c_write(struct chipsim *cs, uint8_t addr, const uint8_t *buf, size_t len)
{
    int r = bus_gate(cs);
    return r ? r : cs->master->write(cs->master_ctx, addr, buf, len);
}

int chipsim_i2c_read(struct chipsim *cs, uint8_t addr, uint8_t *buf, size_t len)
{
    int r = bus_gate(cs);
    return r ? r : cs->master->read(cs->master_ctx, addr, buf, len);
}

int chipsim_i2c_write_read(struct chipsim *cs, uint8_t addr, const uint8_t *w, size_t wlen,
                           uint8_t *rd, size_t rlen)
{
    int r = bus_gate(cs);
    return r ? r : cs->master->write_read(cs->master_ctx, addr, w, wlen, rd, rlen);
}

int chipsim_i2c_write_abort(struct chipsim *cs, uint8_t addr, const uint8_t *buf, size_t len,
                            unsigned bits_before_abort)
{
    int r = bus_gate(cs);
    return r ? r : cs->master->write_abort(cs->master_ctx, addr, buf, len, bits_before_abort);
}

int chipsim_i2c_read_abort(struct chipsim *cs, uint8_t addr, unsigned bits_before_abort)
{
    int r = bus_gate(cs);
    return r ? r : cs->master->read_abort(cs->master_ctx, addr, bits_before_abort);
}

/* ---- lines and pins --------------------------------------------------------------------- */

int chipsim_level(const struct chipsim *cs, enum chipsim_signal sig)
{
    if ((int)sig < 0 || sig >= CHIPSIM_SIG_COUNT)
        return 1;
    return wires_level(&cs->wires, cs->w_sig[sig]);
}

void chipsim_on_edge(struct chipsim *cs, chipsim_edge_fn fn, void *ctx)
{
    cs->edge_fn = fn;
    cs->edge_ctx = ctx;
}

void chipsim_factory_pin(struct chipsim *cs, int low)
{
    wires_pull(&cs->wires, cs->w_factory, WIRE_BY_BUTTON, low);
}

void chipsim_hold_low(struct chipsim *cs, enum chipsim_signal sda_or_scl, int low)
{
    if (sda_or_scl != CHIPSIM_SIG_SDA && sda_or_scl != CHIPSIM_SIG_SCL)
        return;
    wires_pull(&cs->wires, cs->w_sig[sda_or_scl], WIRE_BY_FAULT, low);
}

/* ---- faults ------------------------------------------------------------------------------- */

void chipsim_brownout(struct chipsim *cs)
{
    if (cs->unpowered)
        return;
    cs->reset_cause = MCUSR_BORF;
    avr_reset(cs->avr);
}

void chipsim_power_cycle(struct chipsim *cs, uint32_t seed)
{
    if (cs->unpowered) /* a chip that has no supply stays without one */
        return;
    cs->reset_cause = MCUSR_PORF;
    avr_reset(cs->avr);
    fill_garbage(cs, seed);
}

void chipsim_power(struct chipsim *cs, int on, uint32_t seed)
{
    if ((!on) == cs->unpowered)
        return;
    if (!on) {
        /* every pin high-Z at once (the reset drops the drives and timers);
         * from here the clock moves on with nothing running */
        cs->unpowered = 1;
        avr_reset(cs->avr);
        wires_update(&cs->wires);
        return;
    }
    cs->unpowered = 0;
    chipsim_power_cycle(cs, seed);
}

int chipsim_powered(const struct chipsim *cs)
{
    return !cs->unpowered;
}

static int sleeping_with_interrupts(void *arg)
{
    const avr_t *avr = arg;
    return avr->state == cpu_Sleeping && avr->sreg[S_I];
}

int chipsim_hang_main_loop(struct chipsim *cs)
{
    avr_t *avr = cs->avr;
    if (cs->hung)
        return -1;
    /* Asleep with interrupts on, the CPU is in the main loop, and its PC is
     * the instruction after the SLEEP: every wake-up comes back to it. */
    if (ops_run(cs, avr->cycle + (uint64_t)cs->freq, sleeping_with_interrupts, avr) != 1)
        return -1;
    uint32_t pc = avr->pc;
    if (pc + 1u > avr->flashend)
        return -1;
    cs->hang_pc = pc;
    memcpy(cs->hang_saved, &avr->flash[pc], 2);
    avr->flash[pc] = 0xFF;              /* rjmp .-2: jump to itself (0xCFFF) */
    avr->flash[pc + 1u] = 0xCF;
    cs->hung = 1;
    return 0;
}

void chipsim_unhang(struct chipsim *cs)
{
    if (!cs->hung)
        return;
    memcpy(&cs->avr->flash[cs->hang_pc], cs->hang_saved, 2);
    cs->hung = 0;
}

int chipsim_eeprom_read(const struct chipsim *cs, uint16_t off, uint8_t *buf, size_t n)
{
    avr_t *avr = cs->avr;
    if ((size_t)off + n > avr->e2end + 1u)
        return -1;
    if (!n)
        return 0;
    avr_eeprom_desc_t d = { .ee = buf, .offset = off, .size = (uint32_t)n };
    avr_ioctl(avr, AVR_IOCTL_EEPROM_GET, &d);   /* returns -1 even on success in 1.6 */
    return 0;
}

int chipsim_eeprom_write(struct chipsim *cs, uint16_t off, const uint8_t *buf, size_t n)
{
    avr_t *avr = cs->avr;
    if ((size_t)off + n > avr->e2end + 1u)
        return -1;
    if (!n)
        return 0;
    avr_eeprom_desc_t d = { .ee = (uint8_t *)buf, .offset = off, .size = (uint32_t)n };
    avr_ioctl(avr, AVR_IOCTL_EEPROM_SET, &d);
    return 0;
}

/* ---- observation ------------------------------------------------------------------------------ */

void chipsim_stats(const struct chipsim *cs, struct chipsim_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->cycles = cs->avr->cycle;
    uint64_t idle = cs->slept + cs->wake_cycles + cs->off_cycles;
    st->awake_cycles = cs->avr->cycle > idle ? cs->avr->cycle - idle : 0;
    st->wakeup_cycles = cs->wake_cycles;
    st->wakeups = cs->wakeups;
    st->sleeps = cs->sleeps;
    st->sleep_mode_errors = cs->sleep_errors;
    st->idle_cycles = cs->slept_idle;
    st->chip_resets = cs->chip_resets;
    if (cs->d->kind == MCU_TINY85) {
        st->max_stretch_us = (uint32_t)(cs->bit.max_stretch * 1000000u / cs->hz);
        st->bus_bytes = cs->bit.bytes;
        st->last_stop_cycle = cs->bit.last_stop;
    } else {
        st->last_stop_cycle = cs->twi.last_stop;
        st->bus_bytes = cs->twi.bytes;
        st->max_stretch_us = (uint32_t)(cs->twi.max_stretch * 1000000u / cs->hz);
        st->max_reply_us = (uint32_t)(cs->twi.max_reply * 1000000u / cs->hz);
    }
    st->contentions = cs->wires.contentions;
}

const char *chipsim_sleep_error(const struct chipsim *cs)
{
    return cs->sleep_error[0] ? cs->sleep_error : NULL;
}

/* A field of g_wd, little endian, as the layout places it (at most 4 bytes). */
static uint32_t core_field(const struct chipsim *cs, struct wd_layout_field f)
{
    uint32_t v = 0;
    for (unsigned i = f.width < 4u ? f.width : 4u; i-- > 0;)
        v = v << 8 | cs->avr->data[cs->g_wd_addr + f.off + i];
    return v;
}

int chipsim_core_view(const struct chipsim *cs, struct chipsim_core_view *v)
{
    if (!cs->core_ok)
        return -1;
    const struct wd_core_layout *l = &cs->elf.layout;
    uint32_t since_t = core_field(cs, l->since_t), grace_t = core_field(cs, l->grace_t);
    uint32_t longop_ms = core_field(cs, l->longop_ms);
    v->armed = core_field(cs, l->action) != 0;
    v->in_grace = grace_t != 0;
    v->in_pulse = core_field(cs, l->pulse_t) != 0;
    v->timeout_ms = longop_ms ? longop_ms : core_field(cs, l->timeout_ms); /* the one in force (SPEC 5.6) */
    v->since_feed_ms = since_t * WD_TICK_MS; /* the core counts 16 ms ticks */
    v->grace_left_ms = grace_t * WD_TICK_MS;
    return 0;
}

int chipsim_ram_read(const struct chipsim *cs, const char *symbol, uint32_t off,
                     void *buf, size_t n)
{
    const struct fw_sym *s = fw_elf_sym(&cs->elf, symbol);
    if (!s || (uint64_t)off + n > s->size)
        return -1;
    memcpy(buf, cs->avr->data + s->addr + off, n);
    return 0;
}

int chipsim_ram_write(struct chipsim *cs, const char *symbol, uint32_t off,
                      const void *buf, size_t n)
{
    const struct fw_sym *s = fw_elf_sym(&cs->elf, symbol);
    if (!s || (uint64_t)off + n > s->size)
        return -1;
    memcpy(cs->avr->data + s->addr + off, buf, n);
    return 0;
}
