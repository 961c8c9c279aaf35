/*
 * HealthChannels: feed the watchdog only while every part of the sketch
 * really works, not just while loop() spins. Builds on any Arduino core.
 *
 * Each part checks in on its own deadline: "loop" every pass, "sensor"
 * after each good reading, "link" after each message the sketch got across
 * (its WiFi/MQTT/serial link). If one misses, the library writes its id to
 * the chip's breadcrumb and stops feeding; the chip resets the board, and
 * the next boot prints which part died. A planned long job suspends its
 * channel, bounded.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ExtWatchdog.h>

enum : uint8_t { CH_LOOP = 1, CH_SENSOR, CH_LINK };   /* breadcrumb ids, nonzero */

static struct extwd_channel chLoop, chSensor, chLink;
static uint32_t lastRead, lastSend;

static bool readSensor() { return analogRead(A0) >= 0; }   /* your reading here */
static bool sendReport() { return Serial.println(F("report")) > 0; }

void setup()
{
    Serial.begin(115200);
    ExtWD.begin();
    /* Register the same channels every boot, then ask who died last time. */
    ExtWD.addChannel(chLoop, "loop", CH_LOOP, 1000);
    ExtWD.addChannel(chSensor, "sensor", CH_SENSOR, 10000);
    ExtWD.addChannel(chLink, "link", CH_LINK, 60000);
    const char *died = ExtWD.missedAtBoot();
    if (died) {
        Serial.print(F("reset by the watchdog: part '"));
        Serial.print(died);
        Serial.println(F("' stopped working"));
    }
    ExtWD.arm();
}

void loop()
{
    uint32_t now = millis();
    ExtWD.checkIn(chLoop);
    if (now - lastRead >= 2000u) {
        lastRead = now;
        if (readSensor())
            ExtWD.checkIn(chSensor);
    }
    if (now - lastSend >= 15000u) {
        lastSend = now;
        if (sendReport())
            ExtWD.checkIn(chLink);
    }
    ExtWD.feed();   /* feeds only while all three are within their deadlines */
}

/* A planned long job (a firmware update, a slow calibration): the link
 * may be silent for up to 5 minutes, and no longer. */
void longJob()
{
    ExtWD.suspend(chLink, 300000u);
    /* ... */
    ExtWD.resume(chLink);
}
