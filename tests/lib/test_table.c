/*
 * libextwd against the register table (include/extwd/registers.def), on the
 * real chip core: every writable row written through extwd_write_reg with
 * the table's width is applied, and in keyed mode the library sends the key
 * before exactly the writes the table marks protective (a ZERO row only
 * when it writes 0); so does extwd_save / extwd_clear_counters for the
 * commands. A library whose protective list or widths disagree with the
 * table fails here (tests/core/test_table.c holds the table to the core).
 *
 * SPDX-License-Identifier: MIT
 */
#include "chip_fixture.h"
#include "extwd/registers.h"

static const struct extwd_reg_info regs[] = {
#define EXTWD_REGISTER(n, a, w, acc, sv, pr, rg, lo, hi) EXTWD_REG_INFO(n, a, w, acc, sv, pr, rg, lo, hi),
#include "extwd/registers.def"
};
#define NREGS (sizeof regs / sizeof regs[0])

/* The core at factory settings, keyed mode on if asked, the log cleared. */
static struct chip_fx *fx_new(int keyed)
{
    struct chip_fx *f = chip_fx_new(0, 2);
    if (keyed)
        assert_int_equal(extwd_set_keyed(&f->wd, 1), 0);
    fake_bus_clear_log(&f->bus);
    return f;
}

/* Whether the transcript holds the key frame. */
static int sent_key(const struct chip_fx *f)
{
    static const uint8_t key[3] = {EXTWD_REG_KEY, (uint8_t)EXTWD_KEY, (uint8_t)(EXTWD_KEY >> 8)};
    for (size_t i = 0; i < f->bus.log_len; i++)
        if (fake_xfer_is_write(&f->bus, i, f->wd.cfg.addr, key, 3) ||
            fake_xfer_is_write(&f->bus, i, A, key, 3))
            return 1;
    return 0;
}

static uint32_t valid_value(const struct extwd_reg_info *r)
{
    if (r->protect == EXTWD_PROTECT_ZERO)
        return 0;
    return r->range == EXTWD_RANGE_SPAN || r->range == EXTWD_RANGE_VALUE ? r->lo : 0;
}

static void write_row(const struct extwd_reg_info *r, int keyed)
{
    struct chip_fx *f = fx_new(keyed);
    uint8_t b[4];
    uint32_t v = valid_value(r);
    for (uint8_t i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8u * i));
    int rc = extwd_write_reg(&f->wd, r->addr, b, r->width);
    if (rc != 0)
        fail_msg("%s: extwd_write_reg of its %u bytes (%lu)%s: %s", r->name, r->width,
                 (unsigned long)v, keyed ? " in keyed mode" : "", extwd_strerror(rc));
    int want = keyed && r->protect != EXTWD_PROTECT_NONE;
    if (sent_key(f) != want)
        fail_msg("%s: protect %u in the table, the library %s the key%s", r->name, r->protect,
                 want ? "did not send" : "sent", keyed ? " in keyed mode" : "");
    test_free(f);
}

static void every_writable_row_through_the_library(void **state)
{
    (void)state;
    for (size_t i = 0; i < NREGS; i++) {
        const struct extwd_reg_info *r = &regs[i];
        /* KEY is the key itself; HISTORY and the RO rows take no write */
        if (r->access == EXTWD_ACCESS_RO || r->addr == EXTWD_REG_KEY || r->width > 4)
            continue;
        write_row(r, 0);
        write_row(r, 1);
    }
}

static void protective_commands_through_the_library(void **state)
{
    (void)state;
    static const struct {
        uint8_t code;
        int (*call)(struct extwd *wd);
    } calls[] = {{EXTWD_CMD_SAVE, extwd_save}, {EXTWD_CMD_CLEAR_COUNTERS, extwd_clear_counters}};
    static const struct {
        uint8_t code, protect;
    } cmds[] = {
#define EXTWD_COMMAND(n, c, args, pr) {(c), EXTWD_PROTECT_##pr},
#include "extwd/registers.def"
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        uint8_t protect = 0xFF;
        for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++)
            if (cmds[k].code == calls[i].code)
                protect = cmds[k].protect;
        assert_int_not_equal(protect, 0xFF);
        struct chip_fx *f = fx_new(1);
        assert_int_equal(calls[i].call(&f->wd), 0);
        if (sent_key(f) != (protect != EXTWD_PROTECT_NONE))
            fail_msg("command 0x%02x: protect %u in the table, the key %s", calls[i].code, protect,
                     sent_key(f) ? "was sent" : "was not sent");
        test_free(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_writable_row_through_the_library),
        cmocka_unit_test(protective_commands_through_the_library),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
