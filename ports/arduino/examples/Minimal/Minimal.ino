/*
 * Minimal: the external watchdog on any Arduino core (AVR, ESP8266, ...).
 * Chip on the board's default I2C pins (ESP8266: SDA GPIO4, SCL GPIO5).
 *
 * begin() starts the bus and reads why the board last started, before
 * anything feeds (the chip clears its record at the first feed); arm()
 * feeds, then arms; feed() in loop() costs a clock read when not due.
 * Without a chip, begin() says so and feed() stays harmless.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ExtWatchdog.h>

void setup()
{
    Serial.begin(115200);
    int r = ExtWD.begin();
    if (r != EXTWD_OK) {
        Serial.print(F("external watchdog: "));
        Serial.println(extwd_strerror(r));
    } else if (ExtWD.resetReason() != EXTWD_REASON_NONE) {
        Serial.println(ExtWD.resetReasonText());   /* "Reset by External WD" */
    }
    ExtWD.arm();
}

void loop()
{
    ExtWD.feed();
    /* ... the sketch's work, each pass well under the timeout (3 s) ... */
}
