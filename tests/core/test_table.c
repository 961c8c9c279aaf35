/*
 * The register table (include/extwd/registers.def) against the real chip
 * core and against SPEC.md: every row's width (ERR_LENGTH for any other
 * length), access (ERR_READONLY on every byte of a read-only register, and
 * on the inner bytes of a wider one; ERR_UNKNOWN where no row is),
 * protection (ERR_KEY in keyed mode without the key, ERR_LOCKED when
 * locked), range (ERR_RANGE just outside it), saving (a saved register
 * keeps a written value across SAVE and a power-up, a live one does not),
 * and SPEC.md's tables of sections 3 and 4 row by row. The core is not
 * built from the table (firmware/ keeps its own), so this is where the two
 * are held together.
 *
 * SPDX-License-Identifier: MIT
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extwd/registers.h"

static const struct extwd_reg_info regs[] = {
#define EXTWD_REGISTER(n, a, w, acc, sv, pr, rg, lo, hi) EXTWD_REG_INFO(n, a, w, acc, sv, pr, rg, lo, hi),
#include "extwd/registers.def"
};
#define NREGS (sizeof regs / sizeof regs[0])

struct cmd_info {
    const char *name;
    uint8_t code, args, protect;
};
static const struct cmd_info cmds[] = {
#define EXTWD_COMMAND(n, c, args, pr) {#n, (c), (args), EXTWD_PROTECT_##pr},
#include "extwd/registers.def"
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

static struct wd_chip ch;

static void fresh(void)
{
    h_erase(&ch);
    h_boot(&ch, EXTWD_CHIP_PORF);
    ch.cal.tick_us = 0;
}

static int writable(const struct extwd_reg_info *r)
{
    return r->access != EXTWD_ACCESS_RO;
}

/* A value the row's range accepts on a fresh chip (TIMEOUT_MS 3000). */
static uint32_t valid_value(const struct extwd_reg_info *r)
{
    switch (r->range) {
    case EXTWD_RANGE_SPAN:
    case EXTWD_RANGE_VALUE:
        return r->lo;
    default:
        return 0;
    }
}

/* Writes [addr, value as n little-endian bytes]; returns LAST_ERROR. */
static uint8_t write_n(uint8_t addr, uint32_t v, uint8_t n)
{
    uint8_t f[8] = {addr};
    for (uint8_t i = 0; i < n; i++)
        f[1 + i] = (uint8_t)((uint64_t)v >> (8u * i));
    return h_frame(&ch, f, (uint8_t)(n + 1u));
}

static const struct extwd_reg_info *row_at(unsigned a)
{
    for (size_t i = 0; i < NREGS; i++)
        if (a >= regs[i].addr && a < (unsigned)regs[i].addr + regs[i].width)
            return &regs[i];
    return NULL;
}

/* Width: the row's width is taken, every other length 1-5 is ERR_LENGTH. */
static void widths_by_err_length(void **state)
{
    (void)state;
    for (size_t i = 0; i < NREGS; i++) {
        const struct extwd_reg_info *r = &regs[i];
        if (!writable(r))
            continue;
        for (uint8_t n = 1; n <= 5; n++) {
            fresh();
            uint8_t e = write_n(r->addr, valid_value(r), n);
            if (n == r->width && e != EXTWD_ERR_OK)
                fail_msg("%s: a %u-byte write of %lu gave LAST_ERROR %u", r->name, n,
                         (unsigned long)valid_value(r), e);
            if (n != r->width && e != EXTWD_ERR_LENGTH)
                fail_msg("%s: width %u in the table, a %u-byte write gave %u, not LENGTH", r->name,
                         r->width, n, e);
        }
    }
    for (size_t i = 0; i < NCMDS; i++) {
        const struct cmd_info *k = &cmds[i];
        for (uint8_t n = 0; n <= 3; n++) {
            if (k->code == EXTWD_CMD_SET_POINTER || k->code == EXTWD_CMD_FACTORY_RESET)
                continue; /* no LAST_ERROR of its own / restarts the chip */
            fresh();
            uint8_t f[4] = {k->code, 0, 0, 0};
            uint8_t e = h_frame(&ch, f, (uint8_t)(n + 1u));
            if (n != k->args && e != EXTWD_ERR_LENGTH)
                fail_msg("command %s: %u argument bytes in the table, %u gave %u, not LENGTH", k->name,
                         k->args, n, e);
            if (n == k->args && e == EXTWD_ERR_LENGTH)
                fail_msg("command %s: its %u argument bytes gave LENGTH", k->name, n);
        }
    }
}

/* Access: every byte of a read-only register, the inner bytes of a wider
 * writable one: ERR_READONLY; an address no row covers: ERR_UNKNOWN. */
static void access_by_err_readonly(void **state)
{
    (void)state;
    fresh();
    for (unsigned a = 0; a < 0x80u; a++) {
        const struct extwd_reg_info *r = row_at(a);
        uint8_t e = write_n((uint8_t)a, 0, 1);
        if (!r) {
            if (e != EXTWD_ERR_UNKNOWN)
                fail_msg("0x%02x: no row in the table, the core gave %u, not UNKNOWN", a, e);
        } else if (!writable(r) || a != r->addr) {
            if (e != EXTWD_ERR_READONLY)
                fail_msg("%s+%u (0x%02x): read-only in the table, the core gave %u", r->name,
                         a - r->addr, a, e);
        } else if (e == EXTWD_ERR_READONLY || e == EXTWD_ERR_UNKNOWN) {
            fail_msg("%s: writable in the table, the core gave %u", r->name, e);
        }
        fresh();
    }
}

/* The value a protective write would send: ZERO rows are protective when
 * they write 0. */
static uint8_t try_keyed(const struct extwd_reg_info *r, uint32_t v)
{
    fresh();
    assert_int_equal(write_n(EXTWD_REG_OPTIONS, EXTWD_OPT_KEYED, 1), EXTWD_ERR_OK);
    return write_n(r->addr, v, r->width);
}

static uint8_t try_locked(const struct extwd_reg_info *r, uint32_t v)
{
    fresh();
    assert_int_equal(write_n(EXTWD_REG_LOCK, EXTWD_LOCK_MAGIC, 1), EXTWD_ERR_OK);
    return write_n(r->addr, v, r->width);
}

/* Protection: keyed mode wants the key for PROT, KEYED and ZERO (with 0)
 * rows only; the lock refuses PROT and ZERO (with 0) rows only. */
static void protection_by_err_key(void **state)
{
    (void)state;
    for (size_t i = 0; i < NREGS; i++) {
        const struct extwd_reg_info *r = &regs[i];
        if (!writable(r))
            continue;
        uint32_t v = r->protect == EXTWD_PROTECT_ZERO ? 0 : valid_value(r);
        int keyed = r->protect != EXTWD_PROTECT_NONE;
        int locks = r->protect == EXTWD_PROTECT_PROT || r->protect == EXTWD_PROTECT_ZERO;
        uint8_t e = try_keyed(r, v);
        if (keyed && e != EXTWD_ERR_KEY)
            fail_msg("%s: protective in the table, keyed mode without the key gave %u", r->name, e);
        if (!keyed && e == EXTWD_ERR_KEY)
            fail_msg("%s: not protective in the table, keyed mode refused it", r->name);
        e = try_locked(r, v);
        if (locks && e != EXTWD_ERR_LOCKED)
            fail_msg("%s: protective in the table, the lock let it through (%u)", r->name, e);
        if (!locks && e == EXTWD_ERR_LOCKED)
            fail_msg("%s: the lock refused it, the table says it does not", r->name);
        if (r->protect == EXTWD_PROTECT_ZERO) {
            if (try_keyed(r, 1) == EXTWD_ERR_KEY || try_locked(r, 1) == EXTWD_ERR_LOCKED)
                fail_msg("%s: protective only when written 0, refused with 1", r->name);
        }
    }
    for (size_t i = 0; i < NCMDS; i++) {
        const struct cmd_info *k = &cmds[i];
        uint8_t f[4] = {k->code, 0, 0, 0};
        if (k->code == EXTWD_CMD_SET_ADDRESS) {
            f[1] = 0x27;
            f[2] = (uint8_t)~0x27u;
        } else if (k->code == EXTWD_CMD_TEST_ACTION) {
            f[1] = EXTWD_TEST_CONFIRM;
        }
        if (k->code == EXTWD_CMD_SET_POINTER)
            continue; /* never refused, and leaves LAST_ERROR as it was */
        fresh();
        assert_int_equal(write_n(EXTWD_REG_OPTIONS, EXTWD_OPT_KEYED, 1), EXTWD_ERR_OK);
        uint8_t e = h_frame(&ch, f, (uint8_t)(k->args + 1u));
        if ((k->protect != EXTWD_PROTECT_NONE) != (e == EXTWD_ERR_KEY))
            fail_msg("command %s: protect %u in the table, keyed mode without the key gave %u",
                     k->name, k->protect, e);
        fresh();
        assert_int_equal(write_n(EXTWD_REG_LOCK, EXTWD_LOCK_MAGIC, 1), EXTWD_ERR_OK);
        e = h_frame(&ch, f, (uint8_t)(k->args + 1u));
        if ((k->protect == EXTWD_PROTECT_PROT) != (e == EXTWD_ERR_LOCKED))
            fail_msg("command %s: protect %u in the table, locked it gave %u", k->name, k->protect, e);
    }
}

static uint32_t width_max(const struct extwd_reg_info *r)
{
    return r->width >= 4 ? 0xFFFFFFFFu : (1ul << (8u * r->width)) - 1u;
}

static void expect(const struct extwd_reg_info *r, uint32_t v, int ok)
{
    fresh();
    uint8_t e = write_n(r->addr, v, r->width);
    if (ok && e != EXTWD_ERR_OK)
        fail_msg("%s: %lu is inside its range in the table, the core gave %u", r->name,
                 (unsigned long)v, e);
    uint8_t want = r->range == EXTWD_RANGE_VALUE && r->addr == EXTWD_REG_KEY ? EXTWD_ERR_KEY
                                                                             : EXTWD_ERR_RANGE;
    if (!ok && e != want)
        fail_msg("%s: %lu is outside its range in the table, the core gave %u", r->name,
                 (unsigned long)v, e);
}

/* Range: the edges inside, the values just outside. */
static void ranges_by_err_range(void **state)
{
    (void)state;
    for (size_t i = 0; i < NREGS; i++) {
        const struct extwd_reg_info *r = &regs[i];
        if (!writable(r))
            continue;
        uint32_t max = width_max(r);
        switch (r->range) {
        case EXTWD_RANGE_ANY:
            expect(r, 0, 1);
            expect(r, max, 1);
            break;
        case EXTWD_RANGE_ZERO_OR:
            expect(r, 0, 1);
            if (r->lo > 1)
                expect(r, r->lo - 1u, 0);
            /* fall through */
        case EXTWD_RANGE_SPAN:
            expect(r, r->lo, 1);
            expect(r, r->hi, 1);
            if (r->lo > 0 && r->range == EXTWD_RANGE_SPAN)
                expect(r, r->lo - 1u, 0);
            if (r->hi < max)
                expect(r, r->hi + 1u, 0);
            break;
        case EXTWD_RANGE_BELOW_TIMEOUT:
            expect(r, 0, 1);
            expect(r, EXTWD_DEFAULT_TIMEOUT_MS - 1u, 1);
            expect(r, EXTWD_DEFAULT_TIMEOUT_MS, 0);
            break;
        case EXTWD_RANGE_BITS:
            for (unsigned b = 0; b < 8u * r->width; b++)
                expect(r, 1ul << b, (r->lo >> b) & 1u);
            break;
        case EXTWD_RANGE_VALUE:
            expect(r, r->lo, 1);
            expect(r, r->lo ^ 1u, 0);
            break;
        case EXTWD_RANGE_CAL:
            expect(r, 0, 1);
            expect(r, ch.rc_us, 1);
            expect(r, ch.rc_us + ch.rc_us / 8u + 1u, 0);
            expect(r, ch.rc_us - ch.rc_us / 8u - 1u, 0);
            break;
        default:
            fail_msg("%s: unknown range kind %u", r->name, r->range);
        }
    }
}

/* A value the row accepts that is not the factory default. */
static uint32_t other_value(const struct extwd_reg_info *r)
{
    switch (r->range) {
    case EXTWD_RANGE_SPAN:
    case EXTWD_RANGE_ZERO_OR:
        return r->lo + 1u;
    case EXTWD_RANGE_BELOW_TIMEOUT:
        return 1000;
    case EXTWD_RANGE_BITS:
        return r->lo;
    default:
        return 7;
    }
}

/* Saved: written, SAVE, power-up: a saved register keeps the value, a
 * live one is back at its default. (The calibration is the port's to keep
 * and the KEY and LOCK registers read no value back; they are skipped.) */
static void saved_by_power_up(void **state)
{
    (void)state;
    for (size_t i = 0; i < NREGS; i++) {
        const struct extwd_reg_info *r = &regs[i];
        if (r->access != EXTWD_ACCESS_RW || r->range == EXTWD_RANGE_CAL || r->range == EXTWD_RANGE_VALUE)
            continue;
        uint32_t v = other_value(r);
        fresh();
        uint32_t before = h_rd(&ch, r->addr, r->width);
        if (before == v)
            v = valid_value(r);
        assert_int_equal(write_n(r->addr, v, r->width), EXTWD_ERR_OK);
        /* the key first: OPTIONS may have just switched keyed mode on */
        assert_int_equal(write_n(EXTWD_REG_KEY, EXTWD_KEY, 2), EXTWD_ERR_OK);
        assert_int_equal(H_W(&ch, EXTWD_CMD_SAVE), EXTWD_ERR_OK);
        h_boot(&ch, EXTWD_CHIP_PORF);
        uint32_t after = h_rd(&ch, r->addr, r->width);
        if (r->saved == EXTWD_STORE_SAVED && after != v)
            fail_msg("%s: saved in the table, read %lu after SAVE and a power-up, wrote %lu", r->name,
                     (unsigned long)after, (unsigned long)v);
        if (r->saved == EXTWD_STORE_LIVE && after == v)
            fail_msg("%s: live in the table, kept %lu across SAVE and a power-up", r->name,
                     (unsigned long)v);
    }
}

/* ---- SPEC.md ------------------------------------------------------------ */

static char *spec_text(void)
{
    FILE *f = fopen(EXTWD_SPEC_PATH, "r");
    assert_non_null(f);
    static char buf[256 * 1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    assert_true(n > 0 && n < sizeof buf - 1);
    buf[n] = 0;
    return buf;
}

/* Splits a table line "| a | b |" into trimmed cells (in place). */
static int cells(char *line, char **out, int max)
{
    int n = 0;
    char *p = strchr(line, '|');
    while (p && n < max) {
        char *q = strchr(p + 1, '|');
        if (!q)
            break;
        *q = 0;
        char *s = p + 1;
        while (*s == ' ')
            s++;
        char *e = q;
        while (e > s && e[-1] == ' ')
            *--e = 0;
        out[n++] = s;
        p = q;
    }
    return n;
}

static const struct extwd_reg_info *by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < NREGS; i++)
        if (strlen(regs[i].name) == len && !strncmp(regs[i].name, name, len))
            return &regs[i];
    return NULL;
}

static int access_of(const char *s)
{
    if (!strncmp(s, "RW", 2))
        return EXTWD_ACCESS_RW;
    if (!strncmp(s, "RC", 2))
        return EXTWD_ACCESS_RC;
    if (!strncmp(s, "RO", 2))
        return EXTWD_ACCESS_RO;
    if (!strcmp(s, "W"))
        return EXTWD_ACCESS_WO;
    return -1;
}

static int saved_of(const char *s)
{
    return strstr(s, "saved") && !strstr(s, "not saved") && !strstr(s, "never saved");
}

/* SPEC 3.3's range column in the table's terms. */
static void check_range_text(const struct extwd_reg_info *r, const char *s)
{
    unsigned long lo, hi;
    int kind;
    if (!strcmp(s, "0, or below TIMEOUT_MS")) {
        kind = EXTWD_RANGE_BELOW_TIMEOUT;
        lo = hi = 0;
    } else if (sscanf(s, "0, or %lu-%lu", &lo, &hi) == 2) {
        kind = EXTWD_RANGE_ZERO_OR;
    } else if (!strcmp(s, "bits 0 and 2")) {
        kind = EXTWD_RANGE_BITS;
        lo = 0x05;
        hi = 0;
    } else if (sscanf(s, "%lu-%lu", &lo, &hi) == 2) {
        kind = EXTWD_RANGE_SPAN;
        if (lo == 0 && hi == width_max(r)) {
            kind = EXTWD_RANGE_ANY;
            lo = hi = 0;
        }
    } else {
        fail_msg("SPEC.md: %s: range '%s' not understood", r->name, s);
        return;
    }
    if (kind != r->range || lo != r->lo || hi != r->hi)
        fail_msg("SPEC.md: %s: range '%s', the table says kind %u %lu-%lu", r->name, s, r->range,
                 (unsigned long)r->lo, (unsigned long)r->hi);
}

/* SPEC.md section 3: every row of its register tables (and the history of
 * 3.5) is a row of the table with the same address, width, access and
 * saving; section 4: every command with the same code and argument bytes;
 * and nothing in the table is missing from SPEC.md. */
static void spec_says_the_same(void **state)
{
    (void)state;
    char *text = spec_text();
    int seen[NREGS] = {0}, seen_cmd[NCMDS] = {0};
    int section = 0, col_width = -1, col_access = -1, col_range = -1;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "## ", 3)) {
            section = atoi(line + 3);
            continue;
        }
        if (!strncmp(line, "### 3.5", 7)) {
            const struct extwd_reg_info *r = by_name("HISTORY", 7);
            unsigned a, b;
            assert_non_null(r);
            assert_true(sscanf(strstr(line, "0x"), "0x%x-0x%x", &a, &b) == 2);
            if (a != r->addr || b - a + 1u != r->width)
                fail_msg("SPEC.md: history 0x%02x-0x%02x, the table 0x%02x + %u", a, b, r->addr, r->width);
            seen[r - regs] = 1;
            continue;
        }
        if (!strncmp(line, "### 3.3", 7)) {
            col_access = -2; /* the section says "RW, saved" */
            continue;
        }
        if (line[0] != '|')
            continue;
        char copy[1024];
        snprintf(copy, sizeof copy, "%s", line);
        char *c[12];
        int n = cells(copy, c, 12);
        if (n >= 2 && !strcmp(c[0], "reg")) {
            /* a header: where width, access and range are */
            int keep_section_access = col_access == -2;
            col_width = col_range = -1;
            col_access = keep_section_access ? -2 : -1;
            for (int i = 0; i < n; i++) {
                if (!strcmp(c[i], "width") || !strcmp(c[i], "bytes"))
                    col_width = i;
                if (!strcmp(c[i], "access"))
                    col_access = i;
                if (!strcmp(c[i], "range"))
                    col_range = i;
            }
            continue;
        }
        if (section == 3 && n >= 3 && !strncmp(c[0], "0x", 2)) {
            unsigned a, b;
            int two = sscanf(c[0], "0x%x-0x%x", &a, &b);
            if (two < 1)
                continue;
            if (two == 1)
                b = a;
            /* "FW_MAJOR, FW_MINOR, FW_PATCH": one byte each */
            const char *names = c[1];
            unsigned at = a;
            int count = 0;
            while (*names) {
                size_t len = strcspn(names, ", ");
                const struct extwd_reg_info *r = by_name(names, len);
                if (!r)
                    fail_msg("SPEC.md: %.*s (0x%02x) is not in the table", (int)len, names, at);
                unsigned width = strchr(c[1], ',') ? 1u : b - a + 1u;
                if (col_width >= 0)
                    width = (unsigned)atoi(c[col_width]);
                if (r->addr != at || r->width != width)
                    fail_msg("SPEC.md: %s at 0x%02x width %u, the table 0x%02x width %u", r->name, at,
                             width, r->addr, r->width);
                if (col_width >= 0 && two == 2 && b - a + 1u != width)
                    fail_msg("SPEC.md: %s: 0x%02x-0x%02x is not %u bytes", r->name, a, b, width);
                int acc = col_access == -2 ? EXTWD_ACCESS_RW : col_access >= 0 ? access_of(c[col_access]) : -1;
                int sv = col_access == -2 ? 1 : col_access >= 0 ? saved_of(c[col_access]) : 0;
                if (acc != r->access)
                    fail_msg("SPEC.md: %s access '%s', the table %u", r->name,
                             col_access >= 0 ? c[col_access] : "RW saved (3.3)", r->access);
                if (sv != (r->saved == EXTWD_STORE_SAVED))
                    fail_msg("SPEC.md: %s saved %d, the table %u", r->name, sv, r->saved);
                if (col_range >= 0)
                    check_range_text(r, c[col_range]);
                seen[r - regs] = 1;
                at += width;
                count++;
                names += len;
                while (*names == ',' || *names == ' ')
                    names++;
            }
            assert_true(count > 0);
        }
        if (section == 4 && n >= 2 && !strncmp(c[0], "`[0x", 4)) {
            unsigned code;
            assert_int_equal(sscanf(c[0], "`[0x%x", &code), 1);
            unsigned args = 0;
            for (const char *p = c[0]; *p && *p != ']'; p++)
                args += *p == ',';
            int found = 0;
            for (size_t i = 0; i < NCMDS; i++) {
                if (strcmp(cmds[i].name, c[1]))
                    continue;
                found = 1;
                seen_cmd[i] = 1;
                if (cmds[i].code != code || cmds[i].args != args)
                    fail_msg("SPEC.md: command %s 0x%02x with %u argument bytes, the table 0x%02x %u",
                             c[1], code, args, cmds[i].code, cmds[i].args);
            }
            if (!found)
                fail_msg("SPEC.md: command %s is not in the table", c[1]);
        }
    }
    for (size_t i = 0; i < NREGS; i++)
        if (!seen[i])
            fail_msg("the table's %s is not in SPEC.md section 3", regs[i].name);
    for (size_t i = 0; i < NCMDS; i++)
        if (!seen_cmd[i])
            fail_msg("the table's command %s is not in SPEC.md section 4", cmds[i].name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(widths_by_err_length),
        cmocka_unit_test(access_by_err_readonly),
        cmocka_unit_test(protection_by_err_key),
        cmocka_unit_test(ranges_by_err_range),
        cmocka_unit_test(saved_by_power_up),
        cmocka_unit_test(spec_says_the_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
