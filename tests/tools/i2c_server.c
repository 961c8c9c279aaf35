/* I2C server loop: see i2c_server.h. SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "i2c_server.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "extwd/extwd.h"
#include "i2cwire.h"

#define MAX_CLIENTS 8
#define POLL_MS 5

static FILE *log_file;
static volatile sig_atomic_t stopping;
static int trace; /* I2C_SERVER_TRACE=1: log every transaction */

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

void server_log(uint64_t us, const char *what)
{
    if (log_file) {
        fprintf(log_file, "%llu %s\n", (unsigned long long)(us / 1000u), what);
        fflush(log_file);
    }
}

static uint64_t real_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Serves one request. Returns -1 when the client has gone. */
static int serve(struct i2c_backend *b, int fd, uint64_t t0)
{
    struct i2cwire_req q;
    struct i2cwire_rsp a;
    memset(&a, 0, sizeof a);
    ssize_t n = recv(fd, &q, sizeof q, 0);
    if (n <= 0)
        return -1;
    if (n != (ssize_t)sizeof q || q.len > I2CWIRE_MAX) {
        a.result = EXTWD_E_IO;
    } else {
        b->run_to(b->ctx, real_us() - t0);
        if (q.op == 'W') {
            uint64_t at = b->now_us(b->ctx);
            a.result = (int8_t)b->write(b->ctx, q.addr, q.data, q.len);
            if (a.result == 0 && q.len == 1 && q.data[0] == EXTWD_CMD_FEED)
                server_log(at, "feed");
        } else {
            a.result = (int8_t)b->read(b->ctx, q.addr, a.data, q.len);
            a.len = q.len;
        }
    }
    if (trace) {
        char line[3 * 40 + 48];
        int k = snprintf(line, sizeof line, "%c %02x r=%d:", q.op, q.addr, a.result);
        const uint8_t *d = q.op == 'W' ? q.data : a.data;
        for (unsigned i = 0; i < q.len && i < 40u; i++)
            k += snprintf(line + k, sizeof line - (size_t)k, " %02x", d[i]);
        server_log(b->now_us(b->ctx), line);
    }
    return send(fd, &a, sizeof a, MSG_NOSIGNAL) == (ssize_t)sizeof a ? 0 : -1;
}

int server_main(struct i2c_backend *b, const char *socket_path, const char *log_path)
{
    if (log_path && !(log_file = fopen(log_path, "w"))) {
        fprintf(stderr, "i2c-server: %s: %s\n", log_path, strerror(errno));
        return 1;
    }
    trace = getenv("I2C_SERVER_TRACE") != NULL;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof sa.sun_path) {
        fprintf(stderr, "i2c-server: %s: path too long\n", socket_path);
        return 1;
    }
    strcpy(sa.sun_path, socket_path);
    int lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    unlink(socket_path);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 8) < 0) {
        fprintf(stderr, "i2c-server: %s: %s\n", socket_path, strerror(errno));
        return 1;
    }
    struct sigaction sig;
    memset(&sig, 0, sizeof sig);
    sig.sa_handler = on_signal;
    sigaction(SIGTERM, &sig, NULL);
    sigaction(SIGINT, &sig, NULL);

    struct pollfd p[1 + MAX_CLIENTS];
    int nclients = 0;
    uint64_t t0 = real_us();
    server_log(0, "start");
    while (!stopping) {
        p[0].fd = lfd;
        p[0].events = POLLIN;
        for (int i = 0; i < nclients; i++)
            p[1 + i].events = POLLIN;
        int n = poll(p, (nfds_t)(1 + nclients), POLL_MS);
        b->run_to(b->ctx, real_us() - t0);
        if (n <= 0)
            continue;
        for (int i = 0; i < nclients; i++) {
            short ev = p[1 + i].revents;
            if ((ev & POLLIN) && serve(b, p[1 + i].fd, t0) == 0)
                continue;
            if (ev & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
                close(p[1 + i].fd);
                p[1 + i] = p[nclients];
                nclients--;
                i--;
            }
        }
        if ((p[0].revents & POLLIN) && nclients < MAX_CLIENTS) {
            int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
            if (c >= 0)
                p[1 + nclients++].fd = c;
        }
    }
    server_log(b->now_us(b->ctx), "end");
    for (int i = 0; i < nclients; i++)
        close(p[1 + i].fd);
    close(lfd);
    unlink(socket_path);
    b->close(b->ctx);
    if (log_file)
        fclose(log_file);
    return 0;
}
