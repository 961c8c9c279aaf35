/* Stand-in for the ESP8266 core's ESP8266WiFi.h (see Arduino.h here): the
 * station calls the OTGWStyle example makes, with the core's types and
 * signatures (WiFiMode_t, wl_status_t). SPDX-License-Identifier: MIT */
#ifndef EXTWD_STANDIN_ESP8266WIFI_H
#define EXTWD_STANDIN_ESP8266WIFI_H
#include <stdint.h>
#include "Arduino.h"

typedef enum WiFiMode { WIFI_OFF = 0, WIFI_STA = 1, WIFI_AP = 2, WIFI_AP_STA = 3 } WiFiMode_t;

typedef enum {
    WL_NO_SHIELD = 255,
    WL_IDLE_STATUS = 0,
    WL_NO_SSID_AVAIL,
    WL_SCAN_COMPLETED,
    WL_CONNECTED,
    WL_CONNECT_FAILED,
    WL_CONNECTION_LOST,
    WL_WRONG_PASSWORD,
    WL_DISCONNECTED
} wl_status_t;

class ESP8266WiFiClass {
public:
    bool mode(WiFiMode_t m);
    wl_status_t begin(const char *ssid, const char *passphrase = nullptr, int32_t channel = 0,
                      const uint8_t *bssid = nullptr, bool connect = true);
    wl_status_t status();
    bool reconnect();
};
extern ESP8266WiFiClass WiFi;
#endif
