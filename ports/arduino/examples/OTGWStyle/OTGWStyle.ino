/*
 * OTGWStyle: the seed's setup() and loop() (OTGW firmware, ADR-011) on
 * libextwd, for an ESP8266 with the watchdog chip on SDA = GPIO4, SCL = GPIO5.
 *
 * What changes from the seed, and why:
 *  - the bus starts first: the seed's first statement disarmed the chip
 *    before Wire.begin, so that write never reached it;
 *  - the reset reason is read before anything feeds: the chip clears it at
 *    the first feed, and the seed fed first;
 *  - OTA and a blocking WiFi connect run inside a long operation: on an
 *    extwd chip the timeout is raised for their duration and the chip stays
 *    armed (a hang mid-update is still caught, and the chip restores its
 *    saved timeout at that reset); on a stock chip it disarms, feeds per
 *    chunk and re-arms; either way the old state comes back, errors too;
 *  - the rate-limited feed never skips a due feed after a long block.
 *
 * SPDX-License-Identifier: MIT
 */
#include <ArduinoOTA.h>
#include <ESP8266WiFi.h>
#include <ExtWatchdog.h>
#include <extwd/compat.h>   /* feedWatchDog, WatchDogEnabled, FEEDWATCHDOGNOW, getWatchdogResetReason */
#include <extwd/timer.h>

static const char *ssid = "your-ssid";
static const char *pass = "your-password";

/* Breadcrumbs: where the host was when the watchdog fired (extwd chips).
 * Each is a 3-byte write: mark phases, not every turn of a fast loop. */
enum crumb : uint8_t { CRUMB_SETUP = 1, CRUMB_LOOP, CRUMB_WIFI_CONNECT, CRUMB_OTA };

static struct extwd_timer blink, reconnect;

/* A blocking connect, bounded, with the watchdog extended around it. Each
 * step is one WiFi poll of 100 ms; 2 s per step leaves room for the stack. */
static void startWiFi()
{
    WiFi.mode(WIFI_STA);
    WiFi.begin(ssid, pass);
    ExtWD.breadcrumb(CRUMB_WIFI_CONNECT);
    int r = ExtWD.beginLongOp(2000);
    uint32_t t0 = millis();
    while (WiFi.status() != WL_CONNECTED && millis() - t0 < 30000u) {
        delay(100);
        if (r == EXTWD_OK)
            ExtWD.stepLongOp();
        else
            feedWatchDog();   /* no long op (e.g. a locked chip): keep feeding */
    }
    if (r == EXTWD_OK)
        ExtWD.endLongOp();
    ExtWD.breadcrumb(CRUMB_SETUP);
    Serial.printf("WiFi %s\n", WiFi.status() == WL_CONNECTED ? "connected" : "not connected, going on");
}

static void setupOTA()
{
    ArduinoOTA.onStart([]() {
        ExtWD.breadcrumb(CRUMB_OTA);
        /* A flash chunk may block for seconds: 20 s per chunk. */
        ExtWD.beginLongOp(20000);
    });
    ArduinoOTA.onProgress([](unsigned int, unsigned int) {
        if (ExtWD.inLongOp())
            ExtWD.stepLongOp();   /* a feed per chunk */
        else
            FEEDWATCHDOGNOW
    });
    ArduinoOTA.onEnd([]() { ExtWD.endLongOp(); });       /* the reboot follows */
    ArduinoOTA.onError([](ota_error_t) {
        ExtWD.endLongOp();
        ExtWD.breadcrumb(CRUMB_LOOP);
    });
    ArduinoOTA.begin();
}

void setup()
{
    Serial.begin(115200);

    /* 1. Bus first, then the evidence; begin() never feeds. */
    int r = ExtWD.begin(4, 5);
    if (r != EXTWD_OK)
        Serial.printf("external watchdog: %s\n", extwd_strerror(r));

    /* 2. Why did we reboot? (ESP.getResetReason() only says "External System".) */
    String reason = getWatchdogResetReason();
    if (reason.length() > 0) {
        Serial.println(reason);                          /* "Reset by External WD" */
        if (ExtWD.isExtwd())
            Serial.printf("hung at breadcrumb %u; %u resets in a row\n",
                          ExtWD.handle()->boot.breadcrumb, ExtWD.handle()->boot.bootloop_count);
        /* log to the reboot counter, send an MQTT notification, ... */
    }
    if (ExtWD.isExtwd() && (ExtWD.handle()->boot.ext_status & EXTWD_XS_SAFE_MODE))
        Serial.println("boot loop: starting in safe mode");

    /* 3. Feed, then arm (WatchDogEnabled(1) feeds first). */
    WatchDogEnabled(1);
    ExtWD.breadcrumb(CRUMB_SETUP);

    startWiFi();
    setupOTA();
    ExtWD.breadcrumb(CRUMB_LOOP);
    extwd_timer_init(&blink, 1000, EXTWD_TIMER_SKIP_MISSED, 0);
    extwd_timer_init(&reconnect, 5000, EXTWD_TIMER_SKIP_MISSED, 0);
    pinMode(LED_BUILTIN, OUTPUT);
}

void loop()
{
#ifndef DEBUG_NO_WATCHDOG
    feedWatchDog();                /* first thing in loop, as in the seed */
#endif
    if (extwd_timer_due(&blink, millis()))
        digitalWrite(LED_BUILTIN, !digitalRead(LED_BUILTIN));

    ArduinoOTA.handle();
    /* Non-blocking reconnect: nothing to disarm or extend. */
    if (WiFi.status() != WL_CONNECTED && extwd_timer_due(&reconnect, millis()))
        WiFi.reconnect();

    /* handleOTGW(); ... every task non-blocking; the loop stays under 3 s */
}
