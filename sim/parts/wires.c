/*
 * wires: line levels outside an AVR, fed back into PINx and PCINT.
 * This file links libsimavr (GPL-3): binaries that include it are GPL-3.
 */
#include "wires.h"

#include <string.h>
#include <simavr/sim_io.h>
#include <simavr/sim_interrupts.h>

/* simavr exports it without declaring it; we detach it from the pins we own. */
extern void avr_ioport_irq_notify(struct avr_irq_t *irq, uint32_t value, void *param);

static avr_ioport_t *find_port(avr_t *avr, char name)
{
    for (avr_io_t *io = avr->io_port; io; io = io->next)
        if (io->irq_ioctl_get == (uint32_t)AVR_IOCTL_IOPORT_GETIRQ(name) && io->irq_count)
            return (avr_ioport_t *)io;
    return NULL;
}

static struct wires_port *port_of(struct wires *ws, const avr_ioport_t *io)
{
    for (int i = 0; i < ws->nports; i++)
        if (ws->ports[i].io == io)
            return &ws->ports[i];
    return NULL;
}

static int level_of(struct wires *ws, int i)
{
    struct wire *w = &ws->w[i];
    enum wire_drive d = w->drive ? w->drive(w->drive_ctx, i) : wires_gpio_drive(ws, i);
    if (w->outside_low) {
        if (d == WIRE_HIGH)
            ws->contentions++;
        return 0;
    }
    if (d == WIRE_LOW)
        return 0;
    if (d == WIRE_HIGH || d == WIRE_PULLUP || w->board_pullup)
        return 1;
    return 0; /* floating: read as low, so a missing pull-up shows up */
}

enum wire_drive wires_gpio_drive(const struct wires *ws, int index)
{
    const struct wire *w = &ws->w[index];
    const avr_t *avr = ws->avr;
    const avr_ioport_t *io = NULL;
    for (int i = 0; i < ws->nports; i++)
        if (ws->ports[i].io->name == w->port)
            io = ws->ports[i].io;
    if (!io)
        return WIRE_RELEASED;
    uint8_t m = (uint8_t)(1u << w->bit);
    int ddr = (avr->data[io->r_ddr] & m) != 0;
    int port = (avr->data[io->r_port] & m) != 0;
    if (ddr)
        return port ? WIRE_HIGH : WIRE_LOW;
    int pud = ws->r_pud && (avr->data[ws->r_pud] & (1u << ws->pud_bit));
    return (port && !pud) ? WIRE_PULLUP : WIRE_RELEASED;
}

static uint8_t pin_read(struct avr_t *avr, avr_io_addr_t addr, void *param)
{
    struct wires *ws = param;
    struct wires_port *p = NULL;
    for (int i = 0; i < ws->nports; i++)
        if (ws->ports[i].io->r_pin == addr)
            p = &ws->ports[i];
    if (!p)
        return avr->data[addr];
    uint8_t v = p->orig_read ? p->orig_read(avr, addr, p->orig_param) : avr->data[addr];
    v &= (uint8_t)~p->mask;
    for (int i = 0; i < ws->n; i++)
        if (ws->w[i].port == p->io->name && ws->w[i].level)
            v |= (uint8_t)(1u << ws->w[i].bit);
    avr->data[addr] = v;
    return v;
}

static void reg_written(struct avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param)
{
    struct wires *ws = param;
    for (int i = 0; i < ws->nhooks; i++) {
        struct wires_hook *h = &ws->hooks[i];
        if (h->addr != addr)
            continue;
        if (h->orig)
            h->orig(avr, addr, v, h->orig_param);
        else
            avr->data[addr] = v;
    }
    wires_update(ws);
}

/* Chains our write handler behind the module's own. Not through
 * avr_register_io_write: simavr 1.6 shares at most 4 registers between
 * modules that way, and the ATmega328P needs more (two ports, TWCR). */
static int hook(struct wires *ws, avr_io_addr_t addr)
{
    for (int i = 0; i < ws->nhooks; i++)
        if (ws->hooks[i].addr == addr)
            return 0;
    if (ws->nhooks == WIRES_HOOKS_MAX)
        return -1;
    avr_io_addr_t a = AVR_DATA_TO_IO(addr);
    struct wires_hook *h = &ws->hooks[ws->nhooks++];
    h->addr = addr;
    h->orig = ws->avr->io[a].w.c;
    h->orig_param = ws->avr->io[a].w.param;
    ws->avr->io[a].w.c = reg_written;
    ws->avr->io[a].w.param = ws;
    return 0;
}

int wires_init(struct wires *ws, avr_t *avr, avr_io_addr_t r_pud, uint8_t pud_bit)
{
    memset(ws, 0, sizeof(*ws));
    ws->avr = avr;
    ws->r_pud = r_pud;
    ws->pud_bit = pud_bit;
    if (r_pud)
        hook(ws, r_pud);
    return 0;
}

static void detach_port_hooks(struct wires *ws)
{
    for (int i = 0; i < ws->n; i++) {
        avr_ioport_t *io = NULL;
        for (int k = 0; k < ws->nports; k++)
            if (ws->ports[k].io->name == ws->w[i].port)
                io = ws->ports[k].io;
        if (io)
            avr_irq_unregister_notify(io->io.irq + ws->w[i].bit, avr_ioport_irq_notify, io);
    }
}

int wires_add(struct wires *ws, char port, uint8_t bit, int board_pullup,
              wire_drive_fn drive, void *drive_ctx)
{
    if (ws->n == WIRES_MAX || bit > 7)
        return -1;
    avr_ioport_t *io = find_port(ws->avr, port);
    if (!io)
        return -1;
    struct wires_port *p = port_of(ws, io);
    if (!p) {
        if (ws->nports == WIRES_PORTS_MAX)
            return -1;
        p = &ws->ports[ws->nports++];
        p->io = io;
        avr_io_addr_t a = AVR_DATA_TO_IO(io->r_pin);
        p->orig_read = ws->avr->io[a].r.c;
        p->orig_param = ws->avr->io[a].r.param;
        /* simavr refuses a second reader; we chain to the port's own */
        ws->avr->io[a].r.c = pin_read;
        ws->avr->io[a].r.param = ws;
        if (hook(ws, io->r_port) || hook(ws, io->r_ddr) || hook(ws, io->r_pin))
            return -1;
    }
    p->mask |= (uint8_t)(1u << bit);
    int i = ws->n++;
    struct wire *w = &ws->w[i];
    memset(w, 0, sizeof(*w));
    w->port = port;
    w->bit = bit;
    w->board_pullup = (uint8_t)(board_pullup != 0);
    w->drive = drive;
    w->drive_ctx = drive_ctx;
    w->level = level_of(ws, i);
    detach_port_hooks(ws);
    return i;
}

int wires_watch(struct wires *ws, avr_io_addr_t addr)
{
    return hook(ws, addr);
}

void wires_on_edge(struct wires *ws, wire_edge_fn fn, void *ctx)
{
    ws->edge = fn;
    ws->edge_ctx = ctx;
}

void wires_pull(struct wires *ws, int index, uint8_t who, int low)
{
    if (index < 0 || index >= ws->n)
        return;
    if (low)
        ws->w[index].outside_low |= who;
    else
        ws->w[index].outside_low &= (uint8_t)~who;
    wires_update(ws);
}

static void raise_pcint(struct wires *ws, const struct wire *w)
{
    for (int k = 0; k < ws->nports; k++) {
        avr_ioport_t *io = ws->ports[k].io;
        if (io->name != w->port || !io->r_pcint)
            continue;
        if (ws->avr->data[io->r_pcint] & (1u << w->bit))
            avr_raise_interrupt(ws->avr, &io->pcint);
    }
}

void wires_update(struct wires *ws)
{
    if (ws->busy) {
        ws->dirty = 1;
        return;
    }
    ws->busy = 1;
    do {
        ws->dirty = 0;
        /* one change at a time, in wire order: a callback sees the others
         * at their old level, so SDA and SCL moving together are ordered */
        for (int i = 0; i < ws->n; i++) {
            int lv = level_of(ws, i);
            if (lv == ws->w[i].level)
                continue;
            ws->w[i].level = lv;
            raise_pcint(ws, &ws->w[i]);
            if (ws->edge)
                ws->edge(ws->edge_ctx, i, lv);
            ws->dirty = 1;
            break;
        }
    } while (ws->dirty);
    ws->busy = 0;
}

void wires_after_reset(struct wires *ws)
{
    detach_port_hooks(ws);
    wires_update(ws);
}

int wires_level(const struct wires *ws, int index)
{
    if (index < 0 || index >= ws->n)
        return 1;
    return ws->w[index].level;
}
