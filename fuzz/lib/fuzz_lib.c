/*
 * libFuzzer target: libextwd against a chip that answers with fuzzer bytes.
 * Every transfer's outcome (ACK, address NACK, data error), every reply byte
 * and every clock step come from the input, through init (identification,
 * reset evidence, history), get_state, the setters, the long operation and
 * the rate-limited feed. Nothing may crash or trip a sanitizer; every
 * result is 0, 1 (a feed) or an EXTWD_E_* code, and the parsed evidence
 * stays within its bounds.
 *
 * Input layout, consumed in call order: each write takes 1 byte (its
 * outcome), each read 1 byte (outcome) then its data, each clock read 2
 * bytes (ms to add). Past the end: ACK, 0xFF data, +16 ms.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extwd/extwd.h"

struct feed {
    const uint8_t *p;
    size_t n;
    uint32_t now;
};

static int take(struct feed *f)
{
    if (!f->n)
        return -1;
    f->n--;
    return *f->p++;
}

static int outcome(struct feed *f)
{
    int b = take(f);
    if (b < 0)
        return 0;
    switch (b & 7) {
    case 6: return EXTWD_E_NODEV;
    case 7: return EXTWD_E_IO;
    default: return 0;
    }
}

static int fz_write(void *ctx, uint8_t addr, const uint8_t *buf, size_t len)
{
    (void)addr;
    /* The library never sends an empty frame, nor one longer than a
     * register and its widest value: no PEC byte (SPEC 2.3, firmware 2). */
    if (!buf || len == 0 || len > 5u)
        abort();
    return outcome(ctx);
}

static int fz_read(void *ctx, uint8_t addr, uint8_t *buf, size_t len)
{
    (void)addr;
    if (!buf || len == 0 || len > 32)
        abort(); /* reads are chunked to 32 bytes */
    int r = outcome(ctx);
    for (size_t i = 0; i < len; i++) {
        int b = take(ctx);
        buf[i] = b < 0 ? 0xFF : (uint8_t)b;
    }
    return r;
}

static uint32_t fz_millis(void *ctx)
{
    struct feed *f = ctx;
    int a = take(f), b = take(f);
    f->now += (a < 0 || b < 0) ? 16u : (uint32_t)(a | (b << 8));
    return f->now;
}

static void check(int r)
{
    if (r > 1 || r < EXTWD_E_LOCKED)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    struct feed f = {data + 2, size - 2, 0xFFFFF000u};
    struct extwd_port port = {fz_write, fz_read, fz_millis, &f, NULL};
    struct extwd_config cfg = {.port = &port, .retries = (uint8_t)(data[0] % 6),
                               .feed_interval_ms = (uint16_t)(data[1] * 4u)};
    struct extwd wd;
    int r = extwd_init(&wd, &cfg);
    check(r);
    if (r) {
        if (wd.boot.reason != EXTWD_REASON_UNKNOWN || wd.initialised)
            abort();
        return 0;
    }
    const struct extwd_boot_info *b = &wd.boot;
    if (b->history_len > EXTWD_HISTORY_ENTRIES || b->reason > EXTWD_REASON_WINDOW)
        abort();
    if (!wd.is_extwd && (wd.caps || b->history_len || b->ext_status))
        abort();
    (void)extwd_reset_reason_text(b->reason);

    struct extwd_state st;
    r = extwd_get_state(&wd, &st);
    check(r);
    if (r == 0 && (st.armed > 1 || (wd.is_extwd && st.timeout_ms > EXTWD_TIMEOUT_MS_MAX)))
        abort();

    struct extwd_longop op = {0};
    r = extwd_longop_begin(&wd, &op, 30000);
    check(r);
    if ((r == 0) != (op.active == 1))
        abort();
    if (op.active) {
        check(extwd_longop_step(&wd, &op));
        for (int i = 0; i < 3 && op.active; i++)
            check(extwd_longop_end(&wd, &op));
    }
    for (int i = 0; i < 8; i++)
        check(extwd_feed(&wd));
    check(extwd_set_timeout_ms(&wd, 5000));
    check(extwd_set_window_ms(&wd, 200));
    check(extwd_set_keyed(&wd, 1));
    check(extwd_disarm(&wd));
    check(extwd_arm(&wd));
    check(extwd_breadcrumb(&wd, 7));
    check(extwd_feed_now(&wd));
    uint8_t regs[32];
    check(extwd_read_regs(&wd, 0x60, regs, 24));
    check(extwd_clear_flags(&wd, EXTWD_XS_SAFE_MODE | (EXTWD_STATUS_WD_RESET << 8)));
    check(extwd_set_address(&wd, 0x27));
    return 0;
}
