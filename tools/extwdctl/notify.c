/*
 * sd_notify over the documented socket protocol (sd_notify(3)): one datagram
 * of newline-separated VAR=value lines to the AF_UNIX socket named by
 * $NOTIFY_SOCKET ('@' at the start: the abstract namespace). No libsystemd:
 * the protocol is stable and this is all extwdctl needs.
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int ctl_notify_open(struct ctl_notify *n)
{
    memset(n, 0, sizeof *n);
    n->fd = -1;
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !*path)
        return 0;
    size_t len = strlen(path);
    if ((path[0] != '/' && path[0] != '@') || len >= sizeof n->addr.sun_path)
        return -1;
    n->addr.sun_family = AF_UNIX;
    memcpy(n->addr.sun_path, path, len);
    if (path[0] == '@')
        n->addr.sun_path[0] = '\0';
    n->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (n->fd < 0)
        return -1;

    /* WatchdogSec=: ping at half the interval, as sd_watchdog_enabled(3) advises. */
    const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
    uint32_t us = 0, p = 0;
    int for_us = !pid || (ctl_parse_u32(pid, 0x7FFFFFFFu, &p) == 0 && (pid_t)p == getpid());
    if (for_us && usec && ctl_parse_u32(usec, 0xFFFFFFFFu, &us) == 0 && us >= 2000u)
        n->ping_ms = us / 2000u;
    return 1;
}

void ctl_notify(struct ctl_notify *n, const char *msg)
{
    if (n->fd < 0)
        return;
    /* Non-blocking: a busy systemd must never hold up a feed; a lost ping
     * is repeated on the next turn. */
    (void)sendto(n->fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&n->addr, n->addr_len);
}

void ctl_notify_turn(struct ctl_notify *n, uint32_t now)
{
    if (n->fd < 0 || !n->ping_ms)
        return;
    if (n->pinged && now - n->last_ping_ms < n->ping_ms)
        return;
    ctl_notify(n, "WATCHDOG=1");
    n->pinged = 1;
    n->last_ping_ms = now;
}

uint32_t ctl_notify_due(const struct ctl_notify *n, uint32_t now)
{
    if (n->fd < 0 || !n->ping_ms || !n->pinged)
        return 0xFFFFFFFFu;
    uint32_t d = n->last_ping_ms + n->ping_ms - now;
    return (d & 0x80000000u) ? 0u : d;
}

void ctl_notify_close(struct ctl_notify *n)
{
    if (n->fd >= 0)
        close(n->fd);
    n->fd = -1;
}
