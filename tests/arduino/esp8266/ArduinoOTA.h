/* Stand-in for the ESP8266 core's ArduinoOTA.h (see Arduino.h here): the
 * calls the OTGWStyle example makes. The core takes std::function handlers;
 * xtensa-lx106-elf ships no C++ library, so plain function pointers stand
 * in. They are stricter (a capturing lambda would not convert), so a sketch
 * that compiles here compiles against the core. SPDX-License-Identifier: MIT */
#ifndef EXTWD_STANDIN_ARDUINOOTA_H
#define EXTWD_STANDIN_ARDUINOOTA_H
#include "ESP8266WiFi.h"

typedef enum {
    OTA_AUTH_ERROR,
    OTA_BEGIN_ERROR,
    OTA_CONNECT_ERROR,
    OTA_RECEIVE_ERROR,
    OTA_END_ERROR
} ota_error_t;

class ArduinoOTAClass {
public:
    typedef void (*THandlerFunction)(void);
    typedef void (*THandlerFunction_Error)(ota_error_t);
    typedef void (*THandlerFunction_Progress)(unsigned int, unsigned int);

    void onStart(THandlerFunction fn);
    void onEnd(THandlerFunction fn);
    void onError(THandlerFunction_Error fn);
    void onProgress(THandlerFunction_Progress fn);
    void begin(bool useMDNS = true);
    void handle();
};
extern ArduinoOTAClass ArduinoOTA;
#endif
