/*
 * End to end without extwdctl: the real firmware ELF runs in simavr
 * (chipsim), libextwd drives it through a port over chipsim's bus master,
 * the watchdog fires, and the next boot publishes the reset reason and the
 * breadcrumb with extwd_mqtt_publish_once to the broker of broker_test.sh.
 *
 * Usage: mqtt_sim_test ELF PORT     prints "reason=... breadcrumb=... ..."
 *
 * This program links libsimavr: the binary is GPL-3 (this source is MIT).
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "chipsim.h"
#include "chipsim_extwd.h"
#include "extwd_mqtt.h"

#define BREADCRUMB 0x42

struct sim_port {
    struct chipsim *cs;
    uint32_t resets;            /* falling edges of the reset line to the host */
};

static int sp_write(void *ctx, uint8_t addr, const uint8_t *buf, size_t len)
{
    return chipsim_extwd_rc(chipsim_i2c_write(((struct sim_port *)ctx)->cs, addr, buf, len));
}

static int sp_read(void *ctx, uint8_t addr, uint8_t *buf, size_t len)
{
    return chipsim_extwd_rc(chipsim_i2c_read(((struct sim_port *)ctx)->cs, addr, buf, len));
}

static uint32_t sp_millis(void *ctx)
{
    return (uint32_t)(chipsim_us(((struct sim_port *)ctx)->cs) / 1000u);
}

static void on_edge(void *ctx, enum chipsim_signal sig, int level, uint64_t cycle)
{
    (void)cycle;
    if (sig == CHIPSIM_SIG_RESET && level == 0)
        ((struct sim_port *)ctx)->resets++;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "mqtt_sim_test: %s (%d)\n", what, rc);
    return 1;
}

int main(int argc, char **argv)
{
    static struct extwd wd;
    struct sim_port sp = {0};
    struct extwd_port port = {sp_write, sp_read, sp_millis, &sp, NULL};
    char err[400];
    int rc;

    if (argc != 3)
        return fail("usage: mqtt_sim_test ELF PORT", 2);
    struct chipsim_config ccfg = {.elf_path = argv[1]};
    if (chipsim_open(&sp.cs, &ccfg, err, sizeof err) != 0)
        return fail(err, 0);
    chipsim_on_edge(sp.cs, on_edge, &sp);
    /* A host takes longer than this to boot; the chip's main() needs it. */
    if ((rc = chipsim_run_us(sp.cs, 100000)) != 0)
        return fail("chip crashed at power-up", rc);

    /* The boot before: armed with a 1 s timeout, a breadcrumb, then a hang. */
    struct extwd_config wcfg = {.port = &port, .retries = 2};
    if ((rc = extwd_init(&wd, &wcfg)) != 0)
        return fail("extwd_init (first boot)", rc);
    if (!wd.is_extwd)
        return fail("the firmware did not identify as extwd", 0);
    if ((rc = chipsim_run_us(sp.cs, (EXTWD_DEFAULT_GRACE_S + 1) * 1000000ull)) != 0)
        return fail("chip crashed in grace", rc);
    if ((rc = extwd_set_timeout_ms(&wd, 1000)) != 0 || (rc = extwd_arm(&wd)) != 0 ||
        (rc = extwd_breadcrumb(&wd, BREADCRUMB)) != 0)
        return fail("configure the first boot", rc);
    if ((rc = chipsim_run_us(sp.cs, 3000000)) != 0)
        return fail("chip crashed while the host hung", rc);
    if (sp.resets != 1)
        return fail("the watchdog did not fire once", (int)sp.resets);

    /* This boot: the evidence, then the one-shot publish as extwdctl does it. */
    memset(&wd, 0, sizeof wd);
    if ((rc = extwd_init(&wd, &wcfg)) != 0)
        return fail("extwd_init (after the reset)", rc);

    struct extwd_mqtt_config cfg;
    extwd_mqtt_config_init(&cfg);
    char *opts[] = {"t", "--mqtt-host", "127.0.0.1", "--mqtt-port", argv[2], "--mqtt-client-id", "simdev", NULL};
    int oc = 7;
    if (extwd_mqtt_parse_argv(&cfg, &oc, opts) != 0)
        return fail(cfg.error, 0);
    if ((rc = extwd_mqtt_cli_publish(&cfg, "sim", &wd, sp_millis(&sp), stderr)) != 0)
        return fail("extwd_mqtt_cli_publish", rc);
    printf("mcu=%s reason=%s breadcrumb=%u resets=%u host_resets=%u fw=%u.%u.%u caps=%u sim_ms=%u\n",
           chipsim_mcu(sp.cs), extwd_mqtt_reason_name(wd.boot.reason), wd.boot.breadcrumb,
           wd.boot.resets_total, sp.resets, wd.fw_version[0], wd.fw_version[1], wd.fw_version[2],
           wd.caps, sp_millis(&sp));
    chipsim_close(sp.cs);
    return 0;
}
