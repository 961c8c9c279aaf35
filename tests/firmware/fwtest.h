/*
 * fwtest: the little harness of the firmware-in-the-loop tests. Each test
 * program takes the firmware ELF as its first argument, runs its cases on a
 * fresh chip each, prints one line per case and exits non-zero on any failure.
 * bench/firmware's extwd-fwbench opens its chips and converts times with it too.
 *
 * Links libsimavr through chipsim (GPL-3): these test binaries are GPL-3.
 */
#ifndef EXTWD_FWTEST_H
#define EXTWD_FWTEST_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chipsim.h"

static int fw_case_failures;
static int fw_total_failures;
static const char *fw_elf;

/* Counts a failure of the case and prints where, the failed condition (as
 * text: CHECK and REQUIRE stringify it before macros in it expand) and why. */
#define FW_FAIL(cond_text, ...)                                               \
    do {                                                                      \
        fw_case_failures++;                                                   \
        fprintf(stderr, "  FAIL %s:%d: %s: ", __FILE__, __LINE__, cond_text); \
        fprintf(stderr, __VA_ARGS__);                                         \
        fputc('\n', stderr);                                                  \
    } while (0)

#define CHECK(cond, ...)                                                      \
    do {                                                                      \
        if (!(cond))                                                          \
            FW_FAIL(#cond, __VA_ARGS__);                                      \
    } while (0)

/* Like CHECK, but ends the case: later steps would only repeat the failure.
 * cond is evaluated once (it may run the chip). */
#define REQUIRE(cond, ...)                                                    \
    do {                                                                      \
        if (!(cond)) {                                                        \
            FW_FAIL(#cond, __VA_ARGS__);                                      \
            return;                                                           \
        }                                                                     \
    } while (0)

typedef void (*fw_case_fn)(void);

static inline void fw_run(const char *name, fw_case_fn fn)
{
    fw_case_failures = 0;
    fn();
    printf("%-4s %s\n", fw_case_failures ? "FAIL" : "ok", name);
    fflush(stdout);
    if (fw_case_failures)
        fw_total_failures++;
}

#define RUN(fn) fw_run(#fn, fn)

/* Opens a chip on the ELF under test; aborts the program on failure (every
 * case needs one). cfg may be NULL. */
static inline struct chipsim *fw_open(const struct chipsim_config *cfg)
{
    struct chipsim_config c;
    if (cfg)
        c = *cfg;
    else
        memset(&c, 0, sizeof(c));
    c.elf_path = fw_elf;
    struct chipsim *cs;
    char err[256];
    if (chipsim_open(&cs, &c, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    return cs;
}

static inline uint64_t fw_ms_to_cycles(const struct chipsim *cs, double ms)
{
    return (uint64_t)(ms * chipsim_freq(cs) / 1000.0 + 0.5);
}

static inline double fw_cycles_to_ms(const struct chipsim *cs, uint64_t cycles)
{
    return (double)cycles * 1000.0 / chipsim_freq(cs);
}

static inline int fw_main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FIRMWARE.elf\n", argv[0]);
        exit(2);
    }
    fw_elf = argv[1];
    FILE *f = fopen(fw_elf, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open the firmware ELF (build it with make firmware)\n", fw_elf);
        exit(2);
    }
    fclose(f);
    return 0;
}

static inline int fw_done(void)
{
    if (fw_total_failures)
        printf("%d case(s) failed on %s\n", fw_total_failures, fw_elf);
    return fw_total_failures ? 1 : 0;
}

#endif /* EXTWD_FWTEST_H */
