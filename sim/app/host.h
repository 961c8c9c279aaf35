/*
 * The host model of extwd-sim (host.c): the seed's ESP8266 program on
 * libextwd, the stock OTGW program, and their life (boots, kills, hangs).
 * struct host is the host's RAM and its bookkeeping; the world (world.c)
 * keeps one by value but reaches it only through the functions below, and
 * the host reaches the world through world.h (the clock, the bus, spans,
 * the run's record).
 *
 * This file links libsimavr (through chipsim): GPL-3.0-or-later.
 */
#ifndef EXTWD_SIM_HOST_H
#define EXTWD_SIM_HOST_H

#include <stdint.h>

#include "extwd/extwd.h"
#include "scenario.h"

struct world;

#define HOST_REQ_MAX 16

/* Bugs in the host firmware image: they survive the host's reboots. */
struct host_bugs {
    int hang_boot_left;     /* boots that still hang (-1 = all) */
    int crash_boot_left;
    uint8_t hang_early, crash_early;
    uint32_t heap_leak_bps;
    int heap_leak_line;
    uint8_t hang_task;      /* hang on next entering this task (0 = none), even after a reboot */
    int hang_task_line, hang_boot_line, crash_boot_line; /* the scenario lines that set them */
};

struct host {
    int state;              /* enum sc_host_state */
    int killed;             /* RAM lost (reset, power, crash): unwind, then reboot */
    int hung;               /* stopped: no code, no interrupts, until killed */
    int next_after;         /* enum sc_boot_after for the next boot */
    uint64_t off_until;     /* cycle before which the host cannot start booting */
    uint64_t boot_cyc;      /* when this boot started (millis() counts from here) */
    int bus_up;             /* Wire.begin() done */
    int in_loop;

    struct extwd wd;
    struct extwd_port port;
    struct extwd_config cfg;
    int wd_ok;              /* extwd_init succeeded this boot */
    int safe;               /* safe mode this boot */
    uint64_t loop_since;    /* cycle the host entered loop() this boot */

    /* stimuli waiting for the next loop() pass */
    struct sc_event req[HOST_REQ_MAX];
    int nreq;

    uint32_t heap_free;
    int degraded;
    int wifi_connected;

    /* the stock host's safeTimers feed timer */
    int st_started;
    uint32_t st_due;

    /* libextwd health channels (host channels on), one per enum sc_part */
    struct extwd_channel ch[SC_PART_COUNT];
    uint8_t parts_dead;     /* bit per enum sc_part: stopped working this boot */
    int span_part;          /* index of the open "part dead" span, -1 */

    /* feed failure bookkeeping for the timeline */
    uint32_t feed_fail_run;
    int span_hang;          /* index of the open hang span, -1 */
};

/* ---- what the world asks of the host ------------------------------------------------ */

/* Sets up the host's bookkeeping before the run. */
void host_init(struct world *w);

/* The host can run code now. */
int host_alive(const struct world *w);

/* The host runs code and is not off (booting, in loop, in a task). */
int host_up(const struct world *w);

/* Not killed, not hung, not off: it takes an interrupt. */
int host_running(const struct world *w);

/* A reset input acts on it: it is on, or it is already on its way back. */
int host_resettable(const struct world *w);

/* Returns the host's state (enum sc_host_state). */
int host_state(const struct world *w);

/* Sets and records the host's state. */
void host_set_state(struct world *w, int state);

/* Kills the host: its RAM is lost; it boots again (after) no earlier than
 * off_until. */
void host_kill(struct world *w, int after, uint64_t off_until);

/* The host stops: no code, no interrupts, until it is killed. */
void host_hang(struct world *w);

/* The chip pulled the host's reset line: a running host is killed; one
 * that is off boots next "after chip reset". */
void host_reset_pulled(struct world *w);

/* The reset line was released at cycle cyc: a killed host boots no earlier. */
void host_reset_released(struct world *w, uint64_t cyc);

/* A stimulus (slow pass, OTA, fast-feed bug, WiFi drop) for the host
 * program's next loop() pass; logged and dropped if the host is not running. */
void host_request(struct world *w, const struct sc_event *e);

/* Runs the host program from power-on to the end of the run. */
void host_run(struct world *w);

/* The host's part (enum sc_part) stops doing its work until the next boot,
 * while loop() runs on: it no longer checks in on its health channel.
 * Returns 1 if a working part died (the host was up and the part alive), else 0. */
int host_part_dead(struct world *w, int part);

#endif /* EXTWD_SIM_HOST_H */
