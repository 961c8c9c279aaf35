/*
 * I2C server on the fake bus: --chip extwd (the real chip core built for
 * the host), stock (the TinyI2CWatchdog model) or none (an empty bus).
 *   i2c-server-fake --socket PATH --chip extwd|stock|none [--log FILE]
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "fake_bus.h"
#include "fake_stock.h"
#include "i2c_server.h"
#ifdef EXTWD_HAVE_CORE
#include "fake_chip.h"
#endif

struct fake_backend {
    struct fake_bus bus;
    struct extwd_port port;
    struct fake_stock stock;
#ifdef EXTWD_HAVE_CORE
    struct fake_chip chip;
#endif
    uint32_t *resets;      /* the chip's host-reset counter, NULL for none */
    uint32_t resets_seen;
    uint64_t us;
};

static int fb_write(void *ctx, uint8_t addr, const uint8_t *buf, size_t len)
{
    struct fake_backend *f = ctx;
    return f->port.write(f->port.ctx, addr, buf, len);
}

static int fb_read(void *ctx, uint8_t addr, uint8_t *buf, size_t len)
{
    struct fake_backend *f = ctx;
    return f->port.read(f->port.ctx, addr, buf, len);
}

/* In 1 ms steps, so each host reset is logged at its millisecond. */
static void fb_run_to(void *ctx, uint64_t us)
{
    struct fake_backend *f = ctx;
    while (f->us + 1000u <= us) {
        f->us += 1000u;
        fake_bus_advance(&f->bus, 1);
        if (f->resets && *f->resets != f->resets_seen) {
            f->resets_seen = *f->resets;
            server_log(f->us, "reset");
        }
    }
}

static uint64_t fb_now_us(void *ctx)
{
    return ((struct fake_backend *)ctx)->us;
}

static void fb_close(void *ctx)
{
    (void)ctx;
}

int main(int argc, char **argv)
{
    const char *sock = NULL, *log = NULL, *chip = "extwd";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--socket"))
            sock = argv[i + 1];
        else if (!strcmp(argv[i], "--log"))
            log = argv[i + 1];
        else if (!strcmp(argv[i], "--chip"))
            chip = argv[i + 1];
    }
    if (!sock) {
        fprintf(stderr, "usage: i2c-server-fake --socket PATH [--chip extwd|stock|none] [--log FILE]\n");
        return 2;
    }
    static struct fake_backend f;
    fake_bus_init(&f.bus, NULL, 0, 0);
    struct fake_device d;
    if (!strcmp(chip, "stock")) {
        fake_stock_power_up(&f.stock);
        fake_stock_device(&f.stock, &d);
        fake_bus_attach(&f.bus, &d);
        f.resets = &f.stock.host_resets;
#ifdef EXTWD_HAVE_CORE
    } else if (!strcmp(chip, "extwd")) {
        fake_chip_power_up(&f.chip, NULL);
        fake_chip_device(&f.chip, &d);
        fake_bus_attach(&f.bus, &d);
        f.resets = &f.chip.hw.host_resets;
#endif
    } else if (strcmp(chip, "none") != 0) {
        fprintf(stderr, "i2c-server-fake: no chip '%s' in this build\n", chip);
        return 2;
    }
    fake_bus_port(&f.bus, &f.port);
    struct i2c_backend b = {&f, fb_write, fb_read, fb_run_to, fb_now_us, fb_close};
    return server_main(&b, sock, log);
}
