/*
 * ExtWatchdog: a thin Arduino (Wire) adapter over libextwd, written for the
 * ESP8266 core and usable with any core that has TwoWire.
 *
 * It fixes the order the seed got wrong: begin() starts the bus (and raises
 * the ESP8266 clock-stretch limit) before anything talks to the chip, then
 * reads the reset evidence, and never feeds; arm() feeds, then arms.
 *
 * ExtWD is the default instance (the adapter owns it; the library has no
 * globals). include/extwd/compat.h's feedWatchDog(), WatchDogEnabled(),
 * FEEDWATCHDOGNOW and getWatchdogResetReason() act on it.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_ARDUINO_EXTWATCHDOG_H
#define EXTWD_ARDUINO_EXTWATCHDOG_H

#include <Arduino.h>
#include <Wire.h>

#include "extwd/extwd.h"

class ExtWatchdog {
public:
    /* The ESP8266 software I2C master gives up on a slave that holds SCL low
     * for longer than its stretch limit, 230 us by default. An ATtiny85 USI
     * slave holds SCL after the START and after every byte until its
     * interrupt has run: extwd firmware 2 at most 98 us in simulation
     * (109 us on the ATmega328P; see lib/README.md), but the stock
     * TinyI2CWatchdog can sit with interrupts off for a debug-serial byte
     * (~1.04 ms at 9600 baud). 1500 us covers the stock chip with margin and
     * costs nothing unless the slave stretches: a dead bus still fails each
     * transaction in about 1.5 ms, far below any watchdog timeout. */
    static const uint32_t kStretchLimitUs = 1500;

    /* Starts the bus (ESP8266: Wire.begin(sda, scl) and the stretch limit;
     * other cores: wire.begin()), then finds the chip (3 tries 5 ms apart)
     * and reads its reset evidence. It never feeds. Without a chip it
     * returns EXTWD_E_NODEV and feed() stays harmless: no bus traffic but
     * a re-probe every 1-16 s, and a chip found late is fed (and armed, if
     * arm() was called). Returns 0 or an EXTWD_E_* code. */
    int begin(int sda = 4, int scl = 5, uint8_t addr = EXTWD_I2C_ADDR_DEFAULT,
              uint16_t feed_interval_ms = 100, uint8_t retries = 2, TwoWire &wire = Wire);

    /* Rate-limited feed for loop(): returns 1 if it fed, 0 if not due, or
     * EXTWD_E_*. Cheap when not due. */
    int feed() { return extwd_feed(&wd_); }
    /* Feeds now (FEEDWATCHDOGNOW). Returns 0 or EXTWD_E_*. */
    int feedNow() { return extwd_feed_now(&wd_); }
    /* Feeds, then arms. Returns 0 or EXTWD_E_*. */
    int arm() { return extwd_arm(&wd_); }
    /* Disarms (bounded by the chip's MAX_DISARM_S). Returns 0 or EXTWD_E_*. */
    int disarm() { return extwd_disarm(&wd_); }
    /* Writes the breadcrumb (extwd chips). Returns 0 or EXTWD_E_*. */
    int breadcrumb(uint8_t id) { return extwd_breadcrumb(&wd_, id); }

    /* Health channels: each part of the sketch ("wifi", "mqtt", ...) checks
     * in within its own deadline, and feed() feeds only while all do. A
     * channel that misses has its id written as the breadcrumb and feeding
     * stops, so the chip resets the board and the next boot can name the
     * part (missedAtBoot). ch must live as long as ExtWD (a global).
     * Return 0 or EXTWD_E_*. */
    int addChannel(struct extwd_channel &ch, const char *name, uint8_t id, uint32_t deadline_ms)
    {
        return extwd_channel_add(&wd_, &ch, name, id, deadline_ms);
    }
    int checkIn(struct extwd_channel &ch) { return extwd_checkin(&wd_, &ch); }
    int suspend(struct extwd_channel &ch, uint32_t max_ms) { return extwd_channel_suspend(&wd_, &ch, max_ms); }
    int resume(struct extwd_channel &ch) { return extwd_channel_resume(&wd_, &ch); }
    /* The channel that stopped feeding in this boot, or nullptr. */
    const struct extwd_channel *missed() const { return extwd_missed_channel(&wd_); }
    /* After a watchdog reset, the name of the registered channel whose id
     * the chip latched as the breadcrumb; nullptr if none. */
    const char *missedAtBoot() const;

    /* The long-operation helper for OTA and blocking reconnects: begin
     * raises the timeout to step_ms (extwd) or disarms (stock), step feeds
     * per chunk, end restores. Return 0 or EXTWD_E_*. */
    int beginLongOp(uint32_t step_ms) { return extwd_longop_begin(&wd_, &op_, step_ms); }
    int stepLongOp() { return extwd_longop_step(&wd_, &op_); }
    int endLongOp() { return extwd_longop_end(&wd_, &op_); }
    bool inLongOp() const { return op_.active != 0; }

    /* The reason read by begin(). */
    enum extwd_reset_reason resetReason() const { return extwd_reset_reason(&wd_); }
    const char *resetReasonText() const { return extwd_reset_reason_text(resetReason()); }
    bool isExtwd() const { return wd_.is_extwd != 0; }
    bool ready() const { return wd_.initialised != 0; }
    /* A chip answered at begin() or since. */
    bool present() const { return wd_.presence == EXTWD_PRESENCE_READY; }

    /* The libextwd handle, for everything else (setters, state, history). */
    struct extwd *handle() { return &wd_; }

private:
    static int portWrite(void *ctx, uint8_t addr, const uint8_t *buf, size_t len);
    static int portRead(void *ctx, uint8_t addr, uint8_t *buf, size_t len);
    static uint32_t portMillis(void *ctx);
    static void portDelay(void *ctx, uint32_t ms);

    TwoWire *wire_ = nullptr;
    struct extwd_port port_ = {};
    struct extwd wd_ = {};
    struct extwd_longop op_ = {};
};

/* The default instance, for compat.h and sketches. */
extern ExtWatchdog ExtWD;

#endif /* EXTWD_ARDUINO_EXTWATCHDOG_H */
