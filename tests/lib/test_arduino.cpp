/* ports/arduino on the host: the ExtWatchdog adapter and the seed's names
 * (compat.h) over a mock Wire on the fake bus with the real chip core.
 * SPDX-License-Identifier: MIT */
#include <cstdio>
#include <cstring>

#include "Arduino.h"
#include "ExtWatchdog.h"
#include "Wire.h"
#include "extwd/compat.h"
extern "C" {
#include "fake_bus.h"
#include "fake_chip.h"
}

static struct fake_xfer xlog[256];
static struct fake_bus bus;
static struct fake_chip chip;
static struct extwd_port busport;
TwoWire Wire;
static int failures;

#define CHECK(c)                                                              \
    do {                                                                      \
        if (!(c)) {                                                           \
            std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);          \
            failures++;                                                       \
        }                                                                     \
    } while (0)

uint32_t millis(void) { return bus.now_ms; }
void delay(unsigned long ms) { fake_bus_advance(&bus, (uint32_t)ms); }

size_t TwoWire::write(const uint8_t *b, size_t n)
{
    size_t k = 0;
    while (k < n && len_ < sizeof buf_)
        buf_[len_++] = b[k++];
    return k;
}

uint8_t TwoWire::endTransmission()
{
    transactions++;
    int r = bus->write(bus->ctx, addr_, buf_, len_);
    return r == 0 ? 0 : r == EXTWD_E_NODEV ? 2 : 4;
}

uint8_t TwoWire::requestFrom(uint8_t addr, uint8_t n)
{
    transactions++;
    rpos_ = rlen_ = 0;
    if (n > sizeof rbuf_ || bus->read(bus->ctx, addr, rbuf_, n) != 0)
        return 0;
    rlen_ = n;
    return n;
}

int main()
{
    fake_bus_init(&bus, xlog, 256, 0xFFFFF000u);
    fake_chip_power_up(&chip, nullptr);
    struct fake_device d;
    fake_chip_device(&chip, &d);
    fake_bus_attach(&bus, &d);
    fake_bus_port(&bus, &busport);
    Wire.bus = &busport;

    /* The previous boot hung at breadcrumb 7 and the chip reset it. */
    const uint8_t feed = EXTWD_CMD_FEED, crumb[2] = {EXTWD_REG_BREADCRUMB, 7};
    busport.write(busport.ctx, 0x26, &feed, 1);
    busport.write(busport.ctx, 0x26, crumb, 2);
    fake_bus_advance(&bus, 3200);
    CHECK(chip.hw.host_resets == 1);
    fake_bus_clear_log(&bus);
    Wire.transactions = 0;

    /* setup(): the bus and the stretch limit before any transaction. */
    CHECK(ExtWD.begin(4, 5) == EXTWD_OK);
    CHECK(Wire.begun_sda == 4 && Wire.begun_scl == 5);
    CHECK(Wire.transactions_at_begin == 0);
    CHECK(Wire.stretch_limit == ExtWatchdog::kStretchLimitUs);
    CHECK(Wire.transactions_at_stretch == 0);
    CHECK(Wire.transactions > 0);
    CHECK(ExtWD.isExtwd());

    /* The reason, read before the first feed, under the seed's name. */
    String reason = getWatchdogResetReason();
    CHECK(std::strcmp(reason.c_str(), "Reset by External WD") == 0);
    CHECK(ExtWD.handle()->boot.breadcrumb == 7);
    CHECK((chip.hw.persist.status & 1) == 1); /* begin() did not feed */

    /* WatchDogEnabled(1): feed, then arm. */
    fake_bus_clear_log(&bus);
    WatchDogEnabled(1);
    CHECK(bus.log_len >= 2 && bus.log[0].len == 1 && bus.log[0].data[0] == 0xA5);
    CHECK(bus.log[1].len == 2 && bus.log[1].data[0] == 0x07 && bus.log[1].data[1] == 1);
    CHECK(chip.hw.core.set.action == 1 && (chip.hw.persist.status & 1) == 0);

    /* loop(): feedWatchDog() is rate-limited; FEEDWATCHDOGNOW is not. */
    fake_bus_clear_log(&bus);
    for (int i = 0; i < 100; i++) {
        feedWatchDog();
        fake_bus_advance(&bus, 10);
    }
    CHECK(bus.log_len == 9); /* 1 s of a 10 ms loop: at 100, 200 .. 900 ms after the arm's feed */
    fake_bus_clear_log(&bus);
    FEEDWATCHDOGNOW
    CHECK(bus.log_len == 1 && bus.log[0].data[0] == 0xA5);

    /* OTA: chunks of 10 s inside a long operation, no reset, state restored. */
    CHECK(ExtWD.beginLongOp(20000) == EXTWD_OK);
    CHECK(chip.hw.core.longop_ms == 20000 && chip.hw.core.set.timeout_ms == 3000 && chip.hw.core.set.action == 1);
    for (int chunk = 0; chunk < 5; chunk++) {
        fake_bus_advance(&bus, 10000);
        CHECK(ExtWD.stepLongOp() == EXTWD_OK);
    }
    CHECK(ExtWD.endLongOp() == EXTWD_OK);
    CHECK(!ExtWD.inLongOp());
    CHECK(chip.hw.core.set.timeout_ms == 3000 && chip.hw.core.longop_ms == 0 && chip.hw.host_resets == 1);

    /* WatchDogEnabled(0): a disarm. */
    WatchDogEnabled(0);
    CHECK(chip.hw.core.set.action == 0);

    /* Error mapping: an address NACK on a write and on a read. */
    uint8_t move[3] = {EXTWD_CMD_SET_ADDRESS, 0x30, EXTWD_ADDR_CONFIRM(0x30)};
    busport.write(busport.ctx, 0x26, move, 3);
    CHECK(ExtWD.feedNow() == EXTWD_E_NODEV);
    struct extwd_state st;
    CHECK(extwd_get_state(ExtWD.handle(), &st) == EXTWD_E_NODEV);

    /* Health channels through the adapter: "mqtt" dies, the chip resets
     * the board, and the next begin() names it. */
    uint8_t back[3] = {EXTWD_CMD_SET_ADDRESS, 0x26, EXTWD_ADDR_CONFIRM(0x26)};
    busport.write(busport.ctx, 0x30, back, 3);
    static struct extwd_channel loopCh, mqttCh, loopCh2, mqttCh2;
    CHECK(ExtWD.begin(4, 5) == EXTWD_OK);
    CHECK(ExtWD.addChannel(loopCh, "loop", 1, 1000) == EXTWD_OK);
    CHECK(ExtWD.addChannel(mqttCh, "mqtt", 7, 2000) == EXTWD_OK);
    CHECK(ExtWD.arm() == EXTWD_OK);
    uint32_t resets = chip.hw.host_resets;
    for (int i = 0; i < 1000 && chip.hw.host_resets == resets; i++) {
        ExtWD.checkIn(loopCh);
        if (i < 100)
            ExtWD.checkIn(mqttCh);
        ExtWD.feed();
        fake_bus_advance(&bus, 10);
    }
    CHECK(chip.hw.host_resets == resets + 1);
    CHECK(ExtWD.missed() == &mqttCh);
    fake_bus_advance(&bus, 200);
    CHECK(ExtWD.begin(4, 5) == EXTWD_OK);
    CHECK(ExtWD.missedAtBoot() == nullptr);          /* not registered yet */
    CHECK(ExtWD.addChannel(loopCh2, "loop", 1, 1000) == EXTWD_OK);
    CHECK(ExtWD.addChannel(mqttCh2, "mqtt", 7, 2000) == EXTWD_OK);
    CHECK(ExtWD.missedAtBoot() != nullptr && std::strcmp(ExtWD.missedAtBoot(), "mqtt") == 0);

    /* No chip at all: begin() probes 3 times 5 ms apart (delay() moves the
     * bus clock), and feed() then costs no bus traffic. */
    uint32_t t0 = bus.now_ms;
    CHECK(ExtWD.begin(4, 5, 0x31) == EXTWD_E_NODEV);
    CHECK(bus.now_ms - t0 == 10u);
    uint32_t xfers = bus.xfers;
    for (int i = 0; i < 50; i++)
        CHECK(ExtWD.feed() == 0);
    CHECK(bus.xfers == xfers);
    CHECK(!ExtWD.present());

    std::printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures != 0;
}
