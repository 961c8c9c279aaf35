/* ExtWatchdog: see ExtWatchdog.h. SPDX-License-Identifier: MIT */
#include "ExtWatchdog.h"

#include "extwd/compat.h"

ExtWatchdog ExtWD;

extern "C" struct extwd *extwd_compat_instance(void)
{
    return ExtWD.handle();
}

int ExtWatchdog::portWrite(void *ctx, uint8_t addr, const uint8_t *buf, size_t len)
{
    TwoWire *w = static_cast<TwoWire *>(ctx);
    w->beginTransmission(addr);
    if (w->write(buf, len) != len) {
        w->endTransmission();
        return EXTWD_E_IO; /* longer than Wire's buffer: never for extwd frames */
    }
    /* endTransmission: 0 ok, 2 address NACK, 3 data NACK, 4 other (the
     * ESP8266 core reports a stretch timeout or a busy bus as 4). */
    switch (w->endTransmission()) {
    case 0: return 0;
    case 2: return EXTWD_E_NODEV;
    default: return EXTWD_E_IO;
    }
}

int ExtWatchdog::portRead(void *ctx, uint8_t addr, uint8_t *buf, size_t len)
{
    TwoWire *w = static_cast<TwoWire *>(ctx);
    size_t got = w->requestFrom(addr, static_cast<uint8_t>(len));
    if (got != len) {
        while (w->available())
            (void)w->read();
        /* requestFrom hides why; nothing at all is most likely an address NACK. */
        return got == 0 ? EXTWD_E_NODEV : EXTWD_E_IO;
    }
    for (size_t i = 0; i < len; i++)
        buf[i] = static_cast<uint8_t>(w->read());
    return 0;
}

uint32_t ExtWatchdog::portMillis(void *ctx)
{
    (void)ctx;
    return millis();
}

void ExtWatchdog::portDelay(void *ctx, uint32_t ms)
{
    (void)ctx;
    delay(ms);
}

const char *ExtWatchdog::missedAtBoot() const
{
    enum extwd_reset_reason r = resetReason();
    if (r != EXTWD_REASON_WATCHDOG || !isExtwd())
        return nullptr;
    const struct extwd_channel *ch = extwd_channel_by_id(&wd_, wd_.boot.breadcrumb);
    return ch ? ch->name : nullptr;
}

int ExtWatchdog::begin(int sda, int scl, uint8_t addr, uint16_t feed_interval_ms, uint8_t retries,
                       TwoWire &wire)
{
    wire_ = &wire;
#if defined(ESP8266)
    wire.begin(sda, scl);
    wire.setClockStretchLimit(kStretchLimitUs);
#else
    (void)sda;
    (void)scl;
    wire.begin();
#endif
    port_.write = portWrite;
    port_.read = portRead;
    port_.millis = portMillis;
    port_.delay_ms = portDelay;
    port_.ctx = &wire;
    op_ = {};
    struct extwd_config cfg = {};
    cfg.port = &port_;
    cfg.addr = addr;
    cfg.feed_interval_ms = feed_interval_ms;
    cfg.retries = retries;
    return extwd_init(&wd_, &cfg);
}
