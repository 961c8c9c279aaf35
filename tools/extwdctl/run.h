/*
 * extwdctl run internals: the child commands (child.c) and systemd's notify
 * socket (notify.c). SPDX-License-Identifier: MIT
 */
#ifndef EXTWDCTL_RUN_H
#define EXTWDCTL_RUN_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include "ctl.h"

/* ---- child commands (child.c) ---- */

/* The environment the children get: the daemon's, minus the MQTT secrets and
 * systemd's notify variables. Built once, before any fork. */
struct ctl_child_env {
    char **envp;
};

/* Builds e from environ. Returns 0, or -1 out of memory. */
int ctl_child_env_init(struct ctl_child_env *e);

/* Frees what ctl_child_env_init took. */
void ctl_child_env_free(struct ctl_child_env *e);

/* Starts /bin/sh -c cmd in its own process group with e's environment,
 * every descriptor above 2 closed and every signal at its default.
 * Returns the child's pid, or -1 (errno set). */
pid_t ctl_child_spawn(const struct ctl_child_env *e, const char *cmd);

#define CTL_JOB_TIMEOUT (-1000) /* the code of a job killed at its timeout */

/* One command running beside the loop. */
struct ctl_job {
    pid_t pid;                 /* running, or -1 */
    pid_t dying;               /* killed at its timeout, not yet reaped, or -1 */
    uint32_t start_ms;
};

/* Starts cmd (j->pid is -1 if fork failed). */
void ctl_job_start(struct ctl_job *j, const struct ctl_child_env *e, const char *cmd, uint32_t now);

/* Never blocks. Returns 1 with *code (exit status, -signal, or
 * CTL_JOB_TIMEOUT after killing a job older than timeout_ms) when the job
 * ended, else 0. */
int ctl_job_poll(struct ctl_job *j, uint32_t now, uint32_t timeout_ms, int *code);

/* Kills and reaps whatever is left of the job. */
void ctl_job_kill(struct ctl_job *j);

/* ---- systemd notify (notify.c) ---- */

struct ctl_notify {
    int fd;                    /* -1: not under systemd (no NOTIFY_SOCKET) */
    struct sockaddr_un addr;
    socklen_t addr_len;
    uint32_t ping_ms;          /* WATCHDOG=1 every this, 0 = WatchdogSec off */
    uint32_t last_ping_ms;
    int pinged;
};

/* Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID. Returns 1 if there is
 * a socket to notify, 0 if not, -1 if NOTIFY_SOCKET is unusable. */
int ctl_notify_open(struct ctl_notify *n);

/* Sends one message ("READY=1", "STOPPING=1", ...); never blocks. */
void ctl_notify(struct ctl_notify *n, const char *msg);

/* Sends WATCHDOG=1 when it is due. */
void ctl_notify_turn(struct ctl_notify *n, uint32_t now);

/* Returns the ms until the next WATCHDOG=1 is due (0xFFFFFFFF: none). */
uint32_t ctl_notify_due(const struct ctl_notify *n, uint32_t now);

/* Closes the socket. */
void ctl_notify_close(struct ctl_notify *n);

#endif /* EXTWDCTL_RUN_H */
