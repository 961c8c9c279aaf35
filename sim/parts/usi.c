/*
 * usi: ATtiny85 Universal Serial Interface for simavr, from the datasheet.
 * This file links libsimavr (GPL-3): binaries that include it are GPL-3.
 */
#include "usi.h"

#include <string.h>
#include <simavr/sim_io.h>
#include <simavr/sim_regbit.h>
#include <simavr/sim_interrupts.h>

/* USICR */
#define CR_SIE   0x80u
#define CR_OIE   0x40u
#define CR_WM    0x30u
#define CR_WM_SHIFT 4
#define CR_CS1   0x08u
#define CR_CS0   0x04u
#define CR_CLK   0x02u
#define CR_TC    0x01u
/* USISR */
#define SR_SIF   0x80u
#define SR_OIF   0x40u
#define SR_PF    0x20u
#define SR_DC    0x10u
#define SR_CNT   0x0Fu

static uint8_t rd(const struct usi *u, avr_io_addr_t a) { return u->avr->data[a]; }
static void wr(struct usi *u, avr_io_addr_t a, uint8_t v) { u->avr->data[a] = v; }

static int wire_mode(const struct usi *u) { return (rd(u, u->c.r_usicr) & CR_WM) >> CR_WM_SHIFT; }
static int two_wire(const struct usi *u) { return wire_mode(u) >= 2; }
static int frozen(const struct usi *u)
{
    return u->c.r_prr && (rd(u, u->c.r_prr) & (1u << u->c.prusi_bit));
}

static void notify(struct usi *u)
{
    if (u->changed)
        u->changed(u->changed_ctx);
}

static int latch_open(const struct usi *u)
{
    uint8_t cr = rd(u, u->c.r_usicr);
    if (!(cr & CR_CS1))
        return 1;                       /* internal clock: transparent */
    /* open during the first half of the clock: low for the positive-edge
     * setting, high for the negative-edge one */
    return (cr & CR_CS0) ? u->scl : !u->scl;
}

static void latch_follow(struct usi *u)
{
    if (latch_open(u))
        u->latch = rd(u, u->c.r_usidr) >> 7;
}

static void shift(struct usi *u)
{
    uint8_t dr = rd(u, u->c.r_usidr);
    wr(u, u->c.r_usidr, (uint8_t)((dr << 1) | (u->sda ? 1u : 0u)));
}

static void count(struct usi *u)
{
    uint8_t sr = rd(u, u->c.r_usisr);
    uint8_t cnt = (uint8_t)((sr + 1u) & SR_CNT);
    wr(u, u->c.r_usisr, (uint8_t)((sr & ~SR_CNT) | cnt));
    if (cnt)
        return;
    u->overflows++;
    wr(u, u->c.r_usibr, rd(u, u->c.r_usidr));
    avr_raise_interrupt(u->avr, &u->v_ovf); /* sets USIOIF even if disabled */
    if (wire_mode(u) == 3) {
        u->ovf_hold_req = 1;
        if (!u->scl)
            u->ovf_hold = 1;
    }
}

/* ---- register hooks ------------------------------------------------------- */

static uint8_t usisr_read(struct avr_t *avr, avr_io_addr_t addr, void *param)
{
    struct usi *u = param;
    uint8_t v = (uint8_t)(avr->data[addr] & ~SR_DC);
    if (two_wire(u) && ((rd(u, u->c.r_usidr) >> 7) != (uint8_t)u->sda))
        v |= SR_DC;
    return v;
}

static void usisr_write(struct avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param)
{
    struct usi *u = param;
    uint8_t old = avr->data[addr];
    uint8_t flags = (uint8_t)(old & (SR_SIF | SR_OIF | SR_PF));
    flags &= (uint8_t)~(v & (SR_SIF | SR_OIF | SR_PF)); /* write one to clear */
    avr->data[addr] = (uint8_t)(flags | (v & SR_CNT));
    if ((old & SR_SIF) && !(flags & SR_SIF)) {
        u->start_hold_req = u->start_hold = 0;
        if (u->v_start.pending)
            avr_clear_interrupt(avr, &u->v_start);
    }
    if ((old & SR_OIF) && !(flags & SR_OIF)) {
        u->ovf_hold_req = u->ovf_hold = 0;
        if (u->v_ovf.pending)
            avr_clear_interrupt(avr, &u->v_ovf);
    }
    notify(u);
}

static uint8_t usicr_read(struct avr_t *avr, avr_io_addr_t addr, void *param)
{
    (void)param;
    return (uint8_t)(avr->data[addr] & ~(CR_CLK | CR_TC));
}

static void usicr_write(struct avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param)
{
    struct usi *u = param;
    uint8_t old = avr->data[addr];
    avr->data[addr] = (uint8_t)(v & ~(CR_CLK | CR_TC));
    u->usiclk_sel = (v & CR_CLK) != 0;
    uint8_t sr = rd(u, u->c.r_usisr);

    /* interrupt flags are levels: enabling with the flag set fires */
    if ((v & CR_SIE) && !(old & CR_SIE) && (sr & SR_SIF))
        avr_raise_interrupt(avr, &u->v_start);
    if ((v & CR_OIE) && !(old & CR_OIE) && (sr & SR_OIF))
        avr_raise_interrupt(avr, &u->v_ovf);

    if (!frozen(u)) {
        if ((v & (CR_CS1 | CR_CS0)) == 0 && (v & CR_CLK)) {
            shift(u);                   /* software strobe: shift and count */
            count(u);
        }
        if (v & CR_TC) {
            /* toggle the SCL port bit through the port's own write path */
            avr_io_addr_t a = AVR_DATA_TO_IO(u->c.r_port);
            uint8_t pv = (uint8_t)(avr->data[u->c.r_port] ^ (1u << u->c.scl_bit));
            if (avr->io[a].w.c)
                avr->io[a].w.c(avr, u->c.r_port, pv, avr->io[a].w.param);
            else
                avr->data[u->c.r_port] = pv;
            if ((v & CR_CS1) && (v & CR_CLK))
                count(u);               /* USITC clocks the counter */
        }
    }
    latch_follow(u);
    notify(u);
}

static void usidr_write(struct avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param)
{
    struct usi *u = param;
    avr->data[addr] = v;
    latch_follow(u);
    notify(u);
}

static void usibr_write(struct avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param)
{
    (void)avr; (void)addr; (void)v; (void)param; /* read-only */
}

/* A flag still set when its handler returns fires again (level semantics). */
static void vector_done(struct avr_irq_t *irq, uint32_t value, void *param)
{
    struct usi *u = param;
    (void)irq;
    if (value)
        return;
    uint8_t sr = rd(u, u->c.r_usisr), cr = rd(u, u->c.r_usicr);
    if ((sr & SR_SIF) && (cr & CR_SIE) && !u->v_start.pending)
        avr_raise_interrupt(u->avr, &u->v_start);
    if ((sr & SR_OIF) && (cr & CR_OIE) && !u->v_ovf.pending)
        avr_raise_interrupt(u->avr, &u->v_ovf);
}

/* ---- the bus ---------------------------------------------------------------- */

void usi_line_edge(struct usi *u, int line, int level)
{
    level = level != 0;
    if (line == 0) {
        int was = u->sda;
        u->sda = level;
        if (frozen(u) || was == level || !two_wire(u) || !u->scl)
            return;
        if (!level) {                   /* start */
            u->starts++;
            avr_raise_interrupt(u->avr, &u->v_start);
            u->start_hold_req = 1;
        } else {                        /* stop */
            u->stops++;
            wr(u, u->c.r_usisr, (uint8_t)(rd(u, u->c.r_usisr) | SR_PF));
        }
        notify(u);
        return;
    }

    int was = u->scl;
    u->scl = level;
    if (frozen(u) || was == level)
        return;
    uint8_t cr = rd(u, u->c.r_usicr);
    if (cr & CR_CS1) {
        int sample_edge = (cr & CR_CS0) ? !level : level;
        if (sample_edge) {
            /* the latch closed on this edge holding the bit being sent */
            shift(u);
        } else {
            latch_follow(u);            /* latch opens: next bit appears */
        }
        if (!u->usiclk_sel)
            count(u);
        if (!two_wire(u) && !u->usiclk_sel) {
            uint8_t sr = rd(u, u->c.r_usisr);
            if (!(sr & SR_SIF))
                avr_raise_interrupt(u->avr, &u->v_start);
        }
    }
    if (!level) {
        if (u->start_hold_req && (rd(u, u->c.r_usisr) & SR_SIF))
            u->start_hold = 1;
        if (u->ovf_hold_req)
            u->ovf_hold = 1;
    }
    notify(u);
}

enum wire_drive usi_drive(const struct usi *u, int line, int *gpio)
{
    *gpio = 0;
    if (!two_wire(u)) {
        *gpio = 1;
        return WIRE_RELEASED;
    }
    uint8_t bit = line == 0 ? u->c.sda_bit : u->c.scl_bit;
    uint8_t m = (uint8_t)(1u << bit);
    int ddr = (rd(u, u->c.r_ddr) & m) != 0;
    int port = (rd(u, u->c.r_port) & m) != 0;
    if (ddr) {
        if (!port)
            return WIRE_LOW;
        if (line == 0 && !u->latch)
            return WIRE_LOW;
        if (line == 1 && (u->start_hold || u->ovf_hold))
            return WIRE_LOW;
        return WIRE_RELEASED;           /* open drain: a 1 is released */
    }
    /* output driver off: the pin is an input, the pull-up may apply */
    *gpio = 1;
    return WIRE_RELEASED;
}

enum wire_drive usi_do_drive(const struct usi *u, int *gpio)
{
    uint8_t m = (uint8_t)(1u << u->c.do_bit);
    if (wire_mode(u) != 1 || !(rd(u, u->c.r_ddr) & m)) {
        *gpio = 1;
        return WIRE_RELEASED;
    }
    *gpio = 0;
    return u->latch ? WIRE_HIGH : WIRE_LOW;
}

/* ---- setup ------------------------------------------------------------------- */

static avr_regbit_t regbit(avr_io_addr_t reg, uint8_t bit)
{
    avr_regbit_t r = { .reg = reg, .bit = bit, .mask = 1 };
    return r;
}

int usi_init(struct usi *u, avr_t *avr, const struct usi_config *cfg,
             usi_drive_changed_fn changed, void *ctx)
{
    memset(u, 0, sizeof(*u));
    u->avr = avr;
    u->c = *cfg;
    u->changed = changed;
    u->changed_ctx = ctx;
    u->sda = u->scl = 1;

    u->v_start.vector = cfg->vec_start;
    u->v_start.enable = regbit(cfg->r_usicr, 7);
    u->v_start.raised = regbit(cfg->r_usisr, 7);
    u->v_start.raise_sticky = 1;        /* only software clears USI flags */
    u->v_ovf.vector = cfg->vec_ovf;
    u->v_ovf.enable = regbit(cfg->r_usicr, 6);
    u->v_ovf.raised = regbit(cfg->r_usisr, 6);
    u->v_ovf.raise_sticky = 1;
    avr_register_vector(avr, &u->v_start);
    avr_register_vector(avr, &u->v_ovf);
    avr_irq_register_notify(u->v_start.irq + AVR_INT_IRQ_RUNNING, vector_done, u);
    avr_irq_register_notify(u->v_ovf.irq + AVR_INT_IRQ_RUNNING, vector_done, u);

    avr_register_io_write(avr, cfg->r_usicr, usicr_write, u);
    avr_register_io_read(avr, cfg->r_usicr, usicr_read, u);
    avr_register_io_write(avr, cfg->r_usisr, usisr_write, u);
    avr_register_io_read(avr, cfg->r_usisr, usisr_read, u);
    avr_register_io_write(avr, cfg->r_usidr, usidr_write, u);
    avr_register_io_write(avr, cfg->r_usibr, usibr_write, u);
    return 0;
}

void usi_reset(struct usi *u, int sda, int scl)
{
    u->sda = sda != 0;
    u->scl = scl != 0;
    u->latch = 0;
    u->usiclk_sel = 0;
    u->start_hold_req = u->start_hold = 0;
    u->ovf_hold_req = u->ovf_hold = 0;
}
