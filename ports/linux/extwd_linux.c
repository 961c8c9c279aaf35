/* Linux i2c-dev port: see extwd_linux.h. SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "extwd_linux.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/i2c.h>
#include <linux/i2c-dev.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define EINTR_RETRIES 3

/* Kernel fault codes (Documentation/i2c/fault-codes.rst): ENXIO is an
 * address NACK; many adapters say EREMOTEIO for it too. */
static int map_errno(int e)
{
    return (e == ENXIO || e == EREMOTEIO) ? EXTWD_E_NODEV : EXTWD_E_IO;
}

static int transfer(struct extwd_linux *lx, uint8_t addr, uint16_t flags, uint8_t *buf, size_t len)
{
    if (len > 0xFFFFu)
        return EXTWD_E_INVAL;
    struct i2c_msg msg = {.addr = addr, .flags = flags, .len = (uint16_t)len, .buf = buf};
    struct i2c_rdwr_ioctl_data data = {.msgs = &msg, .nmsgs = 1};
    for (int i = 0;; i++) {
        if (ioctl(lx->fd, I2C_RDWR, &data) == 1)
            return 0;
        if (errno != EINTR || i >= EINTR_RETRIES)
            break;
    }
    lx->last_errno = errno;
    return map_errno(errno);
}

static int lx_write(void *ctx, uint8_t addr, const uint8_t *buf, size_t len)
{
    /* i2c_msg.buf is not const, but the kernel only reads a write's bytes. */
    return transfer(ctx, addr, 0, (uint8_t *)(uintptr_t)buf, len);
}

static int lx_read(void *ctx, uint8_t addr, uint8_t *buf, size_t len)
{
    return transfer(ctx, addr, I2C_M_RD, buf, len);
}

static uint32_t lx_millis(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

static void lx_delay(void *ctx, uint32_t ms)
{
    (void)ctx;
    struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int extwd_linux_open(struct extwd_linux *lx, const char *path, char *err, size_t errlen)
{
    memset(lx, 0, sizeof *lx);
    lx->fd = open(path, O_RDWR | O_CLOEXEC);
    if (lx->fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return EXTWD_E_NODEV;
    }
    unsigned long funcs = 0;
    if (ioctl(lx->fd, I2C_FUNCS, &funcs) < 0) {
        snprintf(err, errlen, "%s: not an I2C bus (%s)", path, strerror(errno));
        extwd_linux_close(lx);
        return EXTWD_E_NOTSUP;
    }
    if (!(funcs & I2C_FUNC_I2C)) {
        snprintf(err, errlen, "%s: this adapter cannot do plain I2C transfers (SMBus only)", path);
        extwd_linux_close(lx);
        return EXTWD_E_NOTSUP;
    }
    lx->port.write = lx_write;
    lx->port.read = lx_read;
    lx->port.millis = lx_millis;
    lx->port.delay_ms = lx_delay;
    lx->port.ctx = lx;
    return 0;
}

void extwd_linux_close(struct extwd_linux *lx)
{
    if (lx->fd >= 0)
        close(lx->fd);
    lx->fd = -1;
}
