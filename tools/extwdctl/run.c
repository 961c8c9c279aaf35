/*
 * extwdctl run: the feeding daemon. It feeds every --interval ms while the
 * --health-cmd keeps succeeding (like the Linux watchdog daemon's test
 * binary); when the command fails, exits non-zero, is killed or outlives
 * --health-timeout, it stops feeding, says so in one line on stderr and exits
 * with status 3, and the chip resets the host.
 *
 * The health command runs beside the loop (fork + exec of /bin/sh -c), so a
 * slow check never delays a feed; only its result does.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include "ctl.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HEALTH_TIMEOUT_CODE (-1000)
#define CHILD_POLL_MS 10u

const char ctl_run_usage[] =
    "run options:\n"
    "  --interval MS          feed every MS ms, 1-65535 (default 1000); must be\n"
    "                         shorter than the chip's timeout\n"
    "  --health-cmd CMD       run CMD (with /bin/sh -c) to decide whether to feed; a\n"
    "                         non-zero exit stops feeding for good (default: none)\n"
    "  --health-interval MS   run it every MS ms (default: the feed interval)\n"
    "  --health-timeout MS    a check running longer than this fails (default 10000)\n"
    "  --arm                  feed and arm at start\n"
    "  --disarm-on-exit       disarm when stopped by a signal (default: stay armed)\n"
    "  --duration MS          stop after MS ms (default: run until a signal)\n"
    "  --verbose              one line on stdout per event\n";

/* The signal that asked us to stop; a handler can only reach a global. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

struct run {
    struct ctl *c;
    uint32_t interval_ms;
    const char *health_cmd;
    uint32_t health_interval_ms, health_timeout_ms, duration_ms;
    int arm, disarm_on_exit, verbose;
    const struct ctl_hooks *hooks[CTL_MAX_HOOKS];
    size_t nhooks;
};

static void event(struct run *r, enum ctl_event ev, int code, uint32_t now, const char *text)
{
    if (r->verbose && text)
        printf("extwdctl run: %s\n", text);
    for (size_t i = 0; i < r->nhooks; i++)
        if (r->hooks[i]->event)
            r->hooks[i]->event(r->hooks[i]->ctx, r->c, ev, code, now);
}

static int parse_ms(const char *opt, const char *v, uint32_t min, uint32_t max, uint32_t *out)
{
    if (!v || ctl_parse_u32(v, max, out) || *out < min)
        return ctl_fail(CTL_EXIT_USAGE, "run: %s needs a number of ms in %lu-%lu, not '%s'", opt,
                        (unsigned long)min, (unsigned long)max, v ? v : "");
    return 0;
}

static int parse_args(struct run *r, int argc, char **argv)
{
    int have_hi = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int e = 0;
        if (!strcmp(a, "--interval")) {
            e = parse_ms(a, v, 1, 0xFFFF, &r->interval_ms);
            i++;
        } else if (!strcmp(a, "--health-cmd")) {
            if (!v || !*v)
                return ctl_fail(CTL_EXIT_USAGE, "run: --health-cmd needs a command");
            r->health_cmd = v;
            i++;
        } else if (!strcmp(a, "--health-interval")) {
            e = parse_ms(a, v, 1, 86400000u, &r->health_interval_ms);
            have_hi = 1;
            i++;
        } else if (!strcmp(a, "--health-timeout")) {
            e = parse_ms(a, v, 1, 86400000u, &r->health_timeout_ms);
            i++;
        } else if (!strcmp(a, "--duration")) {
            e = parse_ms(a, v, 1, 0x7FFFFFFFu, &r->duration_ms);
            i++;
        } else if (!strcmp(a, "--arm")) {
            r->arm = 1;
        } else if (!strcmp(a, "--disarm-on-exit")) {
            r->disarm_on_exit = 1;
        } else if (!strcmp(a, "--verbose")) {
            r->verbose = 1;
        } else {
            return ctl_fail(CTL_EXIT_USAGE, "run: unknown option '%s' (try extwdctl run --help)", a);
        }
        if (e)
            return e;
    }
    if (!have_hi)
        r->health_interval_ms = r->interval_ms;
    return 0;
}

static pid_t spawn_health(const char *cmd)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
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
    return code;
}

/* One line about what the chip will do now that we stopped feeding. */
static void report_unhealthy(struct run *r, int code)
{
    struct ctl *c = r->c;
    char why[64];
    if (code == HEALTH_TIMEOUT_CODE)
        snprintf(why, sizeof why, "ran longer than %lu ms", (unsigned long)r->health_timeout_ms);
    else if (code < 0)
        snprintf(why, sizeof why, "killed by signal %d", -code);
    else
        snprintf(why, sizeof why, "exit status %d", code);
    struct extwd_state st;
    char next[96] = "the watchdog will reset the host";
    if (extwd_get_state(&c->wd, &st) == 0) {
        if (!st.armed)
            snprintf(next, sizeof next, "the chip is disarmed, so no reset follows");
        else if (st.time_left_ms != 0xFFFFFFFFu)
            snprintf(next, sizeof next, "the watchdog resets the host in about %lu ms",
                     (unsigned long)st.time_left_ms);
        else if (st.timeout_ms)
            snprintf(next, sizeof next, "the watchdog resets the host within %lu ms",
                     (unsigned long)(st.timeout_ms + 1000u));
    }
    ctl_fail(CTL_EXIT_UNHEALTHY, "run: health command '%s' failed (%s); stopped feeding: %s",
             r->health_cmd, why, next);
}

int ctl_check_run(int argc, char **argv)
{
    struct run r = {.interval_ms = 1000, .health_timeout_ms = 10000};
    return parse_args(&r, argc, argv);
}

int ctl_cmd_run(struct ctl *c, int argc, char **argv)
{
    struct run r = {.c = c, .interval_ms = 1000, .health_timeout_ms = 10000};
    int e = parse_args(&r, argc, argv);
    if (e)
        return e;
    for (size_t i = 0; ctl_extensions[i]; i++) {
        const struct ctl_hooks *h = ctl_extensions[i]->hooks ? ctl_extensions[i]->hooks() : NULL;
        if (h && r.nhooks < CTL_MAX_HOOKS)
            r.hooks[r.nhooks++] = h;
    }

    if ((e = ctl_connect(c, (uint16_t)r.interval_ms)) != 0)
        return e;
    struct extwd_state st;
    int rc = extwd_get_state(&c->wd, &st);
    if (rc)
        return ctl_fail_extwd(c, "run", rc);
    if (st.timeout_ms && r.interval_ms >= st.timeout_ms)
        return ctl_fail(CTL_EXIT_USAGE, "run: --interval %lu ms is not shorter than the chip's timeout (%lu ms)",
                        (unsigned long)r.interval_ms, (unsigned long)st.timeout_ms);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    uint32_t now = ctl_now(c);
    const uint32_t start = now;
    if (r.verbose)
        printf("extwdctl run: last reset: %s; feeding every %lu ms\n",
               c->wd.boot.reason == EXTWD_REASON_NONE ? "not by the watchdog"
                                                       : extwd_reset_reason_text(c->wd.boot.reason),
               (unsigned long)r.interval_ms);
    for (size_t i = 0; i < r.nhooks; i++)
        if (r.hooks[i]->start && (e = r.hooks[i]->start(r.hooks[i]->ctx, c, now)) != 0)
            return stop_hooks(&r, e);

    if (r.arm) {
        if ((rc = extwd_arm(&c->wd)) != 0)
            return stop_hooks(&r, ctl_fail_extwd(c, "run: arm", rc));
        event(&r, CTL_EV_ARMED, 0, now, "armed");
    }

    pid_t child = -1;
    uint32_t child_start = 0, next_health = now;
    int healthy_known = 0, bus_failing = 0, exit_code = CTL_EXIT_OK;
    for (;;) {
        now = ctl_now(c);
        if (stop_signal) {
            event(&r, CTL_EV_STOPPING, stop_signal, now, "stopping on a signal");
            break;
        }
        if (r.duration_ms && now - start >= r.duration_ms) {
            event(&r, CTL_EV_STOPPING, 0, now, "stopping: --duration reached");
            break;
        }

        /* Health: collect a finished check, kill one that hangs, start the next. */
        int failed = 0, code = 0;
        if (child > 0) {
            int status;
            pid_t w = waitpid(child, &status, WNOHANG);
            if (w == child) {
                child = -1;
                code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
                failed = code != 0;
            } else if (now - child_start >= r.health_timeout_ms) {
                kill(child, SIGKILL);
                waitpid(child, NULL, 0);
                child = -1;
                failed = 1;
                code = HEALTH_TIMEOUT_CODE;
            }
            if (child < 0 && !failed && !healthy_known) {
                healthy_known = 1;
                event(&r, CTL_EV_HEALTH_OK, 0, now, "health command succeeded");
            }
        }
        if (failed) {
            event(&r, CTL_EV_HEALTH_FAIL, code, now, NULL);
            report_unhealthy(&r, code);
            exit_code = CTL_EXIT_UNHEALTHY;
            return stop_hooks(&r, exit_code);
        }
        if (r.health_cmd && child < 0 && until(now, next_health) == 0) {
            child = spawn_health(r.health_cmd);
            if (child < 0)
                return stop_hooks(&r, ctl_fail(CTL_EXIT_FAIL, "run: cannot start the health command: %s",
                                               strerror(errno)));
            child_start = now;
            next_health = now + r.health_interval_ms;
        }

        rc = extwd_feed(&c->wd);
        if (rc < 0) {
            if (!bus_failing)
                ctl_fail(CTL_EXIT_FAIL, "run: feed failed: %s (retrying every turn)", extwd_strerror(rc));
            bus_failing = 1;
            event(&r, CTL_EV_BUS_ERROR, rc, now, NULL);
        } else if (rc == 1 && bus_failing) {
            bus_failing = 0;
            if (r.verbose)
                printf("extwdctl run: feeding again\n");
        }
        for (size_t i = 0; i < r.nhooks; i++)
            if (r.hooks[i]->turn)
                r.hooks[i]->turn(r.hooks[i]->ctx, c, now);

        /* Sleep to the next thing to do. */
        const struct extwd_timer *t = &c->wd.feed_timer;
        uint32_t wait = until(now, t->due_ms);
        if (bus_failing)
            wait = CHILD_POLL_MS;
        if (child > 0 && wait > CHILD_POLL_MS)
            wait = CHILD_POLL_MS;
        if (r.health_cmd && child < 0 && until(now, next_health) < wait)
            wait = until(now, next_health);
        if (r.duration_ms && until(now, start + r.duration_ms) < wait)
            wait = until(now, start + r.duration_ms);
        sleep_ms(wait ? wait : 1u);
    }

    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    if (stop_signal && r.disarm_on_exit) {
        if ((rc = extwd_disarm(&c->wd)) != 0)
            exit_code = ctl_fail_extwd(c, "run: disarm on exit", rc);
        else
            event(&r, CTL_EV_DISARMED, 0, ctl_now(c), "disarmed");
    }
    if (r.verbose)
        printf("extwdctl run: %lu feeds, %lu bus errors\n", (unsigned long)c->wd.stats.feeds,
               (unsigned long)c->wd.stats.bus_errors);
    return stop_hooks(&r, exit_code);
}
