/*
 * The host model of extwd-sim (host.c): the seed's ESP8266 program on
 * libextwd, the stock OTGW program, and their life (boots, kills, hangs).
 * struct host is the host's RAM and its bookkeeping, private to host.c; the
 * world (world.c) holds a pointer to one and reaches it only through the
 * functions below, and the host reaches the world through world.h (the
 * clock, the bus, spans, the run's record).
 *
 * This file links libsimavr (through chipsim): GPL-3.0-or-later.
 */
#ifndef EXTWD_SIM_HOST_H
#define EXTWD_SIM_HOST_H

#include <stdint.h>

#include "extwd/extwd.h"
#include "scenario.h"

struct world;

/* ---- what the world asks of the host ------------------------------------------------ */

/* Gives the world its host (w->h), off and with no bug yet. Returns 0, or
 * -1 when out of memory. */
int host_create(struct world *w);

/* Frees the world's host. */
void host_destroy(struct world *w);

/* A bug in the host's firmware image (hang in a task, hang or crash at
 * boot, heap leak: the event e) that lasts through its reboots. */
void host_plant_bug(struct world *w, const struct sc_event *e);

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
