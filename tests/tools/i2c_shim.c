/*
 * LD_PRELOAD shim: makes one device path (EXTWD_SHIM_DEV, e.g. /dev/i2c-77)
 * an I2C bus whose transactions go to an I2C server over the unix socket
 * EXTWD_SHIM_SOCK. It answers the i2c-dev ioctls extwdctl uses (I2C_FUNCS,
 * I2C_RDWR); every other path and fd goes to libc untouched. If the server
 * is not there, opening the path fails with ENOENT, as a missing bus does.
 *
 * The descriptor handed out is the connected socket itself, so close() and
 * fork/exec need no bookkeeping beyond remembering which fds are ours.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/i2c.h>
#include <linux/i2c-dev.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "extwd/extwd.h"
#include "i2cwire.h"

#define MAX_FDS 1024
static unsigned char ours[MAX_FDS];

/* Children (the daemon's health command) never open the bus: keep the shim
 * out of them. */
__attribute__((constructor)) static void shim_init(void)
{
    unsetenv("LD_PRELOAD");
}

static int is_ours(int fd)
{
    return fd >= 0 && fd < MAX_FDS && ours[fd];
}

static int matches(const char *path)
{
    const char *dev = getenv("EXTWD_SHIM_DEV");
    return path && dev && *dev && strcmp(path, dev) == 0;
}

static int open_bus(void)
{
    const char *sock = getenv("EXTWD_SHIM_SOCK");
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!sock || strlen(sock) >= sizeof sa.sun_path) {
        errno = ENOENT;
        return -1;
    }
    strcpy(sa.sun_path, sock);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || fd >= MAX_FDS) {
        close(fd);
        errno = ENOENT;
        return -1;
    }
    ours[fd] = 1;
    return fd;
}

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))

/* The mode argument of the open family, there only with O_CREAT or
 * O_TMPFILE. A macro: va_start works only in the variadic function itself. */
#define MODE_ARG(flags, mode)                                                   \
    do {                                                                        \
        va_list ap_;                                                            \
        va_start(ap_, flags);                                                   \
        (mode) = ((flags) & (O_CREAT | O_TMPFILE)) ? va_arg(ap_, mode_t) : 0;   \
        va_end(ap_);                                                            \
    } while (0)

int open(const char *path, int flags, ...)
{
    if (matches(path))
        return open_bus();
    mode_t mode;
    MODE_ARG(flags, mode);
    return REAL("open", int (*)(const char *, int, ...))(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    if (matches(path))
        return open_bus();
    mode_t mode;
    MODE_ARG(flags, mode);
    return REAL("open64", int (*)(const char *, int, ...))(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    if (matches(path))
        return open_bus();
    mode_t mode;
    MODE_ARG(flags, mode);
    return REAL("openat", int (*)(int, const char *, int, ...))(dirfd, path, flags, mode);
}

int __open_2(const char *path, int flags)
{
    if (matches(path))
        return open_bus();
    return REAL("__open_2", int (*)(const char *, int))(path, flags);
}

int __open64_2(const char *path, int flags)
{
    if (matches(path))
        return open_bus();
    return REAL("__open64_2", int (*)(const char *, int))(path, flags);
}

int close(int fd)
{
    if (is_ours(fd))
        ours[fd] = 0;
    return REAL("close", int (*)(int))(fd);
}

static int one_msg(int fd, struct i2c_msg *m)
{
    struct i2cwire_req q = {.op = (m->flags & I2C_M_RD) ? 'R' : 'W', .addr = (uint8_t)m->addr,
                            .len = m->len};
    struct i2cwire_rsp a;
    if (m->len > I2CWIRE_MAX) {
        errno = EINVAL;
        return -1;
    }
    if (q.op == 'W')
        memcpy(q.data, m->buf, m->len);
    if (send(fd, &q, sizeof q, 0) != (ssize_t)sizeof q || recv(fd, &a, sizeof a, 0) != (ssize_t)sizeof a) {
        errno = EIO;
        return -1;
    }
    if (a.result == EXTWD_E_NODEV) {
        errno = ENXIO;
        return -1;
    }
    if (a.result) {
        errno = EIO;
        return -1;
    }
    if (q.op == 'R')
        memcpy(m->buf, a.data, m->len);
    return 0;
}

int ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    va_start(ap, req);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if (!is_ours(fd))
        return REAL("ioctl", int (*)(int, unsigned long, ...))(fd, req, arg);
    switch (req) {
    case I2C_FUNCS:
        *(unsigned long *)arg = I2C_FUNC_I2C;
        return 0;
    case I2C_RDWR: {
        struct i2c_rdwr_ioctl_data *d = arg;
        for (unsigned i = 0; i < d->nmsgs; i++)
            if (one_msg(fd, &d->msgs[i]) < 0)
                return -1;
        return (int)d->nmsgs;
    }
    case I2C_SLAVE:
    case I2C_SLAVE_FORCE:
        return 0;
    default:
        errno = ENOTTY;
        return -1;
    }
}
