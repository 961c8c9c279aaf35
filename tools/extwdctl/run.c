/*
 * extwdctl run: the feeding daemon, with the Linux watchdog daemon's health
 * semantics and a protected stop.
 *
 * Health: the --health-cmd runs beside the loop (fork + exec of /bin/sh -c),
 * so a slow or hung check never delays a feed; only its result matters. A
 * failed check is retried; feeding stops only after it has failed without a
 * success for --health-retry seconds (the watchdog daemon's retry-timeout),
 * with one line on stderr first, and the chip then resets the host. A
 * --repair-cmd (the watchdog daemon's repair-binary) runs after a failed
 * check.
 *
 * Stop: on SIGTERM or SIGINT (systemd's stop, a reboot) the daemon sets the
 * chip to --shutdown-timeout (systemd's RebootWatchdogSec), feeds once and
 * exits: a shutdown that hangs is still reset, a clean one is not cut short.
 * It records the running timeout in --state-file, and the next start puts
 * it back. SIGHUP re-reads the configuration file.
 *
 * Every signal, every health change and the stop are one log line on
 * stderr, each saying what the chip will do next.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHILD_POLL_MS 10u

const char ctl_run_usage[] =
    "run options:\n"
    "  --interval MS          feed every MS ms, 1-65535 (default 1000); at most half\n"
    "                         the chip's timeout, a margin for its clock's error\n"
    "  --timeout MS           set the chip's timeout to MS at start, 100-600000\n"
    "                         (default: keep the chip's, or the one a protected stop\n"
    "                         recorded in the state file)\n"
    "  --health-cmd CMD       run CMD (with /bin/sh -c) to decide whether to feed\n"
    "                         (default: none)\n"
    "  --health-interval MS   run it every MS ms (default: the feed interval)\n"
    "  --health-timeout MS    a check running longer than this fails (default 10000)\n"
    "  --health-retry S       feeding stops only after the check has failed for S\n"
    "                         seconds without a success, 0-86400 (default 60, as the\n"
    "                         watchdog daemon's retry-timeout; 0 = at the first failure)\n"
    "  --repair-cmd CMD       run CMD after a failed check (as the watchdog daemon's\n"
    "                         repair-binary); the retry window goes on meanwhile\n"
    "  --shutdown-timeout MS  on SIGTERM/SIGINT set the chip's timeout to MS, feed\n"
    "                         once and exit (default 600000 = 10 min, as systemd's\n"
    "                         RebootWatchdogSec; 0 = leave the running timeout)\n"
    "  --state-file FILE      where a protected stop records the running timeout\n"
    "                         for the next start (default $STATE_DIRECTORY/running-timeout,\n"
    "                         else " CTL_RUN_DEFAULT_STATE_FILE ")\n"
    "  --arm                  feed and arm at start\n"
    "  --disarm-on-exit       disarm on SIGTERM/SIGINT instead (bounded: the chip\n"
    "                         re-arms after max_disarm_s, 300 s by default)\n"
    "  --duration MS          stop after MS ms, leaving the chip as it is\n"
    "  --verbose              one line on stdout per event\n"
    "  SIGHUP re-reads --config; systemd: Type=notify, WatchdogSec= are honoured.\n";

/* The signal that arrived; a handler can only reach a global. */
static volatile sig_atomic_t got_stop, got_hup;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        got_hup = 1;
    else
        got_stop = sig;
}

struct run {
    struct ctl *c;
    struct ctl_run_opts o;
    const struct ctl_hooks *hooks[CTL_MAX_HOOKS];
    size_t nhooks;
    struct ctl_child_env env;
    struct ctl_notify notify;
    struct ctl_job health, repair;
    uint32_t running_timeout_ms;  /* the chip's timeout while we feed */
    uint32_t next_health;
    int healthy_known, failing;
    uint32_t fail_since, failures;
    char state_path[512];
};

static void event(struct run *r, enum ctl_event ev, int code, uint32_t now, const char *text)
{
    if (r->o.verbose && text)
        printf("extwdctl run: %s\n", text);
    for (size_t i = 0; i < r->nhooks; i++)
        if (r->hooks[i]->event)
            r->hooks[i]->event(r->hooks[i]->ctx, r->c, ev, code, now);
}

static void sleep_ms(uint32_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L};
    /* A signal cuts the sleep short; the loop looks at it at once. */
    (void)nanosleep(&ts, NULL);
}

/* Milliseconds until due, 0 if already due (wrap-safe). */
static uint32_t until(uint32_t now, uint32_t due)
{
    uint32_t d = due - now;
    return (d & 0x80000000u) ? 0u : d;
}

static int stop_hooks(struct run *r, int code)
{
    for (size_t i = 0; i < r->nhooks; i++)
        if (r->hooks[i]->stop)
            r->hooks[i]->stop(r->hooks[i]->ctx, r->c, code);
    ctl_job_kill(&r->health);
    ctl_job_kill(&r->repair);
    ctl_notify_close(&r->notify);
    ctl_child_env_free(&r->env);
    return code;
}

static void describe(char *why, size_t n, int code, uint32_t timeout_ms)
{
    if (code == CTL_JOB_TIMEOUT)
        snprintf(why, n, "ran longer than %lu ms", (unsigned long)timeout_ms);
    else if (code < 0)
        snprintf(why, n, "killed by signal %d", -code);
    else
        snprintf(why, n, "exit status %d", code);
}

/* What the chip does now that nobody feeds it. */
static void chip_next(struct run *r, char *next, size_t n)
{
    struct extwd_state st;
    snprintf(next, n, "the watchdog will reset the host");
    if (extwd_get_state(&r->c->wd, &st) != 0)
        return;
    if (!st.armed)
        snprintf(next, n, "the chip is disarmed, so no reset follows");
    else if (st.time_left_ms != EXTWD_NO_RESET_PENDING)
        snprintf(next, n, "the watchdog resets the host in about %lu ms", (unsigned long)st.time_left_ms);
    else if (st.timeout_ms)
        snprintf(next, n, "the watchdog resets the host within %lu ms", (unsigned long)(st.timeout_ms + 1000u));
}

/* ---- the running timeout across a protected stop ---- */

static void state_path(struct run *r)
{
    const char *dir = getenv("STATE_DIRECTORY"); /* systemd's StateDirectory= */
    if (r->o.state_file)
        snprintf(r->state_path, sizeof r->state_path, "%s", r->o.state_file);
    else if (dir && *dir && !strchr(dir, ':'))
        snprintf(r->state_path, sizeof r->state_path, "%s/running-timeout", dir);
    else
        snprintf(r->state_path, sizeof r->state_path, "%s", CTL_RUN_DEFAULT_STATE_FILE);
}

/* Returns the timeout a protected stop recorded (and forgets it), or 0. */
static uint32_t take_recorded_timeout(struct run *r)
{
    char text[32], err[600];
    size_t len;
    uint32_t ms;
    if (access(r->state_path, F_OK) != 0)
        return 0;
    int bad = ctl_read_file(r->state_path, text, sizeof text, &len, 0, err, sizeof err);
    if (!bad) {
        while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
            len--;
        text[len] = '\0';
        bad = ctl_parse_u32(text, EXTWD_TIMEOUT_MS_MAX, &ms) || ms < 100u;
        if (bad)
            snprintf(err, sizeof err, "%s: not a timeout in ms", r->state_path);
    }
    if (unlink(r->state_path) != 0 && errno != ENOENT)
        ctl_fail(0, "run: cannot remove %s: %s", r->state_path, strerror(errno));
    if (bad) {
        ctl_fail(0, "run: ignoring the recorded running timeout: %s", err);
        return 0;
    }
    return ms;
}

static int record_timeout(struct run *r)
{
    char tmp[600], text[16];
    snprintf(tmp, sizeof tmp, "%s.tmp", r->state_path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return -1;
    int n = snprintf(text, sizeof text, "%lu\n", (unsigned long)r->running_timeout_ms);
    int ok = write(fd, text, (size_t)n) == n && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, r->state_path) != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return -1;
    }
    return 0;
}

/* At start: the --timeout, else the one a protected stop left a note of. */
static int set_running_timeout(struct run *r, uint32_t chip_ms)
{
    struct ctl *c = r->c;
    uint32_t recorded = take_recorded_timeout(r);
    uint32_t want = r->o.timeout_ms ? r->o.timeout_ms : recorded;
    r->running_timeout_ms = chip_ms;
    if (want && want != chip_ms) {
        int rc = extwd_set_timeout_ms(&c->wd, want);
        if (rc)
            return ctl_fail_extwd(c, "run: setting the running timeout", rc);
        struct extwd_state st;
        if ((rc = extwd_get_state(&c->wd, &st)) != 0)
            return ctl_fail_extwd(c, "run", rc);
        r->running_timeout_ms = st.timeout_ms;
        if (!r->o.timeout_ms)
            ctl_fail(0, "run: restored the running timeout %lu ms (a protected stop had left %lu ms)",
                     (unsigned long)st.timeout_ms, (unsigned long)chip_ms);
    } else if (recorded && !r->o.timeout_ms) {
        ctl_fail(0, "run: the chip is back at the running timeout %lu ms the protected stop recorded",
                 (unsigned long)chip_ms);
    } else if (!want && r->o.shutdown_timeout_ms && chip_ms == r->o.shutdown_timeout_ms) {
        ctl_fail(0, "run: warning: the chip's timeout is the shutdown timeout (%lu ms) and no running "
                    "timeout was recorded; give --timeout",
                 (unsigned long)chip_ms);
    }
    return 0;
}

/* SIGTERM/SIGINT: leave the chip guarding the shutdown. */
static int protected_stop(struct run *r, int sig)
{
    struct ctl *c = r->c;
    uint32_t now = ctl_now(c);
    const char *name = sigabbrev_np(sig);
    int rc;
    if (r->o.disarm_on_exit) {
        if ((rc = extwd_disarm(&c->wd)) != 0)
            return ctl_fail_extwd(c, "run: disarm on exit", rc);
        uint8_t b[2] = {0};
        uint32_t left = 0;
        if (extwd_is_extwd(&c->wd) && extwd_read_regs(&c->wd, EXTWD_REG_DISARM_LEFT_S, b, 2) == 0)
            left = (uint32_t)b[0] | ((uint32_t)b[1] << 8);
        event(r, CTL_EV_DISARMED, 0, now, "disarmed");
        if (left)
            ctl_fail(0, "run: SIG%s: stopped; the chip is disarmed for at most %lu s, then re-arms "
                        "and resets the host unless something feeds it",
                     name, (unsigned long)left);
        else
            ctl_fail(0, "run: SIG%s: stopped; the chip is disarmed", name);
        return CTL_EXIT_OK;
    }
    uint32_t ms = r->o.shutdown_timeout_ms;
    if (ms && !extwd_is_extwd(&c->wd) && ms > 255000u)
        ms = 255000u; /* a stock chip counts whole seconds in one byte */
    if (!ms || ms == r->running_timeout_ms) {
        if ((rc = extwd_feed_now(&c->wd)) != 0)
            return ctl_fail_extwd(c, "run: the last feed", rc);
        ctl_fail(0, "run: SIG%s: stopped; fed once: the host is reset in %lu ms unless something feeds it",
                 name, (unsigned long)r->running_timeout_ms);
        return CTL_EXIT_OK;
    }
    int recorded = record_timeout(r);
    int e = errno;
    if ((rc = extwd_set_timeout_ms(&c->wd, ms)) != 0 || (rc = extwd_feed_now(&c->wd)) != 0)
        return ctl_fail_extwd(c, "run: protecting the shutdown", rc);
    if (recorded == 0)
        ctl_fail(0, "run: SIG%s: stopped; chip timeout set to %lu ms and fed: a shutdown that hangs is "
                    "reset then; the next start restores %lu ms",
                 name, (unsigned long)ms, (unsigned long)r->running_timeout_ms);
    else
        ctl_fail(0, "run: SIG%s: stopped; chip timeout set to %lu ms and fed: a shutdown that hangs is "
                    "reset then; cannot record the running timeout in %s (%s): start with --timeout %lu",
                 name, (unsigned long)ms, r->state_path, strerror(e), (unsigned long)r->running_timeout_ms);
    return CTL_EXIT_OK;
}

/* ---- SIGHUP ---- */

static void reload(struct run *r)
{
    struct ctl *c = r->c;
    ctl_notify(&r->notify, "RELOADING=1");
    if (!c->config_path) {
        ctl_fail(0, "run: SIGHUP: no --config to re-read; feeding goes on unchanged");
        ctl_notify(&r->notify, "READY=1");
        return;
    }
    static struct ctl_config cf;
    char err[384];
    if (ctl_config_read(&cf, c->config_path, err, sizeof err)) {
        ctl_fail(0, "run: SIGHUP: %s; keeping the old configuration, feeding goes on", err);
        ctl_notify(&r->notify, "READY=1");
        return;
    }
    char **args = calloc((size_t)(cf.argc + c->cli_argc + 1), sizeof *args);
    struct ctl_opts o = c->opt;
    struct ctl_run_opts ro = CTL_RUN_OPTS_DEFAULT;
    int n = args ? ctl_join_args(c, &cf, args) : 0;
    if (!args || ctl_parse_options(&o, &ro, &n, args) != 0) {
        ctl_fail(0, "run: SIGHUP: %s has a bad option; keeping the old configuration, feeding goes on",
                 c->config_path);
        free(args);
        ctl_config_free(&cf);
        ctl_notify(&r->notify, "READY=1");
        return;
    }
    free(args);
    const char *later = NULL;
    if (strcmp(o.bus, c->opt.bus) || o.addr != c->opt.addr)
        later = "the bus and address";
    else if (ro.interval_ms != r->o.interval_ms || ro.timeout_ms != r->o.timeout_ms)
        later = "--interval and --timeout";
    ro.interval_ms = r->o.interval_ms;
    ro.timeout_ms = r->o.timeout_ms;
    ro.duration_ms = r->o.duration_ms;
    ro.arm = r->o.arm;
    r->o = ro;
    /* The strings of the old configuration are no longer referenced. */
    ctl_config_free(&c->config);
    c->config = cf;
    state_path(r);
    if (later)
        ctl_fail(0, "run: SIGHUP: re-read %s; %s change only at a restart; feeding goes on", c->config_path, later);
    else
        ctl_fail(0, "run: SIGHUP: re-read %s; feeding goes on", c->config_path);
    ctl_notify(&r->notify, "READY=1");
}

/* ---- health ---- */

/* A check finished with code. Returns 0 to keep feeding, or CTL_EXIT_UNHEALTHY. */
static int health_result(struct run *r, int code, uint32_t now)
{
    char why[64], next[96];
    describe(why, sizeof why, code, r->o.health_timeout_ms);
    if (code == 0) {
        if (r->failing) {
            ctl_fail(0, "run: health command '%s' succeeded again after %lu ms of failures; feeding goes on",
                     r->o.health_cmd, (unsigned long)(now - r->fail_since));
            r->failing = 0;
            event(r, CTL_EV_HEALTH_OK, 0, now, "health command succeeded again");
        } else if (!r->healthy_known) {
            event(r, CTL_EV_HEALTH_OK, 0, now, "health command succeeded");
        }
        r->healthy_known = 1;
        return 0;
    }
    r->failures++;
    if (!r->failing) {
        r->failing = 1;
        r->fail_since = now;
        event(r, CTL_EV_HEALTH_FAIL, code, now, NULL);
    }
    uint32_t failed_for = now - r->fail_since;
    if (failed_for >= r->o.health_retry_s * 1000u) {
        chip_next(r, next, sizeof next);
        if (r->o.health_retry_s)
            ctl_fail(0, "run: health command '%s' failed (%s), failing for %lu ms (--health-retry %lu s); "
                        "stopped feeding: %s",
                     r->o.health_cmd, why, (unsigned long)failed_for, (unsigned long)r->o.health_retry_s, next);
        else
            ctl_fail(0, "run: health command '%s' failed (%s); stopped feeding: %s", r->o.health_cmd, why, next);
        return CTL_EXIT_UNHEALTHY;
    }
    if (failed_for == 0)
        ctl_fail(0, "run: health command '%s' failed (%s); retrying: feeding stops if it still fails "
                    "in %lu s%s",
                 r->o.health_cmd, why, (unsigned long)r->o.health_retry_s,
                 r->o.repair_cmd ? "; running the repair command" : "");
    else if (r->o.verbose)
        printf("extwdctl run: health command failed again (%s), failing for %lu ms\n", why,
               (unsigned long)failed_for);
    if (r->o.repair_cmd && r->repair.pid <= 0) {
        ctl_job_start(&r->repair, &r->env, r->o.repair_cmd, now);
        if (r->repair.pid < 0)
            ctl_fail(0, "run: cannot start the repair command: %s", strerror(errno));
    }
    return 0;
}

/* One turn of the health and repair jobs. Returns 0 or an exit code. */
static int health_turn(struct run *r, uint32_t now)
{
    int code;
    if (ctl_job_poll(&r->repair, now, r->o.health_timeout_ms, &code)) {
        char why[64];
        describe(why, sizeof why, code, r->o.health_timeout_ms);
        ctl_fail(0, "run: repair command '%s' %s (%s)", r->o.repair_cmd ? r->o.repair_cmd : "",
                 code == 0 ? "succeeded" : "failed", why);
    }
    if (ctl_job_poll(&r->health, now, r->o.health_timeout_ms, &code)) {
        int e = health_result(r, code, now);
        if (e)
            return e;
    }
    if (r->o.health_cmd && r->health.pid <= 0 && until(now, r->next_health) == 0) {
        ctl_job_start(&r->health, &r->env, r->o.health_cmd, now);
        if (r->health.pid < 0)
            return ctl_fail(CTL_EXIT_FAIL, "run: cannot start the health command: %s", strerror(errno));
        r->next_health = now + r->o.health_interval_ms;
    }
    return 0;
}

/* ---- the loop ---- */

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* A dead log reader or broker must not kill the feeder (and reset the host). */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

static int start(struct run *r)
{
    struct ctl *c = r->c;
    int e;
    if ((e = ctl_connect(c, (uint16_t)r->o.interval_ms)) != 0)
        return e;
    struct extwd_state st;
    int rc = extwd_get_state(&c->wd, &st);
    if (rc)
        return ctl_fail_extwd(c, "run", rc);
    state_path(r);
    if ((e = set_running_timeout(r, st.timeout_ms)) != 0)
        return e;
    /* systemd pings at half its WatchdogSec for the same reason: the chip's
     * clock may run a few percent fast. */
    if (r->running_timeout_ms && r->o.interval_ms * 2u > r->running_timeout_ms)
        return ctl_fail(CTL_EXIT_USAGE,
                        "run: --interval %lu ms is more than half the chip's timeout (%lu ms); "
                        "at most %lu ms leaves a margin for the chip's clock",
                        (unsigned long)r->o.interval_ms, (unsigned long)r->running_timeout_ms,
                        (unsigned long)(r->running_timeout_ms / 2u));
    return 0;
}

int ctl_cmd_run(struct ctl *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    static struct run r;
    memset(&r, 0, sizeof r);
    r.c = c;
    r.o = c->run;
    r.health.pid = r.health.dying = r.repair.pid = r.repair.dying = -1;
    setvbuf(stdout, NULL, _IOLBF, 0); /* journald and pipes get each line at once */
    for (size_t i = 0; ctl_extensions[i]; i++) {
        const struct ctl_hooks *h = ctl_extensions[i]->hooks ? ctl_extensions[i]->hooks() : NULL;
        if (h && r.nhooks < CTL_MAX_HOOKS)
            r.hooks[r.nhooks++] = h;
    }
    if (ctl_child_env_init(&r.env))
        return ctl_fail(CTL_EXIT_FAIL, "run: out of memory");
    if (ctl_notify_open(&r.notify) < 0)
        ctl_fail(0, "run: NOTIFY_SOCKET is not a usable socket address; not notifying systemd");
    install_signals();
    int e = start(&r);
    if (e)
        return stop_hooks(&r, e);

    uint32_t now = ctl_now(c);
    const uint32_t t0 = now;
    r.next_health = now;
    if (r.o.verbose)
        printf("extwdctl run: last reset: %s; feeding every %lu ms, chip timeout %lu ms\n",
               extwd_boot(&c->wd)->reason == EXTWD_REASON_NONE ? "not by the watchdog"
                                                      : extwd_reset_reason_text(extwd_boot(&c->wd)->reason),
               (unsigned long)r.o.interval_ms, (unsigned long)r.running_timeout_ms);
    for (size_t i = 0; i < r.nhooks; i++)
        if (r.hooks[i]->start && (e = r.hooks[i]->start(r.hooks[i]->ctx, c, now)) != 0)
            return stop_hooks(&r, e);

    int rc;
    if (r.o.arm) {
        if ((rc = extwd_arm(&c->wd)) != 0)
            return stop_hooks(&r, ctl_fail_extwd(c, "run: arm", rc));
        event(&r, CTL_EV_ARMED, 0, now, "armed");
    }

    int bus_failing = 0, ready = 0, exit_code = CTL_EXIT_OK;
    for (;;) {
        now = ctl_now(c);
        if (got_stop) {
            event(&r, CTL_EV_STOPPING, got_stop, now, "stopping on a signal");
            ctl_notify(&r.notify, "STOPPING=1");
            ctl_job_kill(&r.health);
            ctl_job_kill(&r.repair);
            exit_code = protected_stop(&r, got_stop);
            break;
        }
        if (got_hup) {
            got_hup = 0;
            reload(&r);
        }
        if (r.o.duration_ms && now - t0 >= r.o.duration_ms) {
            event(&r, CTL_EV_STOPPING, 0, now, "stopping: --duration reached");
            break;
        }
        if ((e = health_turn(&r, now)) != 0)
            return stop_hooks(&r, e);

        rc = extwd_feed(&c->wd);
        if (rc < 0) {
            if (!bus_failing)
                ctl_fail(0, "run: feed failed: %s (retrying every turn)", extwd_strerror(rc));
            bus_failing = 1;
            event(&r, CTL_EV_BUS_ERROR, rc, now, NULL);
        } else if (rc == 1) {
            if (bus_failing && r.o.verbose)
                printf("extwdctl run: feeding again\n");
            bus_failing = 0;
            if (!ready) {
                ready = 1;
                ctl_notify(&r.notify, "READY=1\nSTATUS=feeding the watchdog");
            }
        }
        if (ready)
            ctl_notify_turn(&r.notify, now);
        for (size_t i = 0; i < r.nhooks; i++)
            if (r.hooks[i]->turn)
                r.hooks[i]->turn(r.hooks[i]->ctx, c, now);

        /* Sleep to the next thing to do. */
        uint32_t wait = until(now, extwd_next_feed_ms(&c->wd));
        if (bus_failing)
            wait = CHILD_POLL_MS;
        if ((r.health.pid > 0 || r.repair.pid > 0 || r.health.dying > 0 || r.repair.dying > 0) &&
            wait > CHILD_POLL_MS)
            wait = CHILD_POLL_MS;
        if (r.o.health_cmd && r.health.pid <= 0 && until(now, r.next_health) < wait)
            wait = until(now, r.next_health);
        if (ctl_notify_due(&r.notify, now) < wait)
            wait = ctl_notify_due(&r.notify, now);
        if (r.o.duration_ms && until(now, t0 + r.o.duration_ms) < wait)
            wait = until(now, t0 + r.o.duration_ms);
        sleep_ms(wait ? wait : 1u);
    }

    if (r.o.verbose)
        printf("extwdctl run: %lu feeds, %lu bus errors\n", (unsigned long)extwd_transfer_stats(&c->wd)->feeds,
               (unsigned long)extwd_transfer_stats(&c->wd)->bus_errors);
    return stop_hooks(&r, exit_code);
}
