/* Stand-in for the ESP8266 Arduino core's Arduino.h: only the declarations
 * the extwd package and its portable examples use, so that CI can compile
 * them with xtensa-lx106-elf-g++ without the core. Not a working core.
 * SPDX-License-Identifier: MIT */
#ifndef EXTWD_STANDIN_ARDUINO_H
#define EXTWD_STANDIN_ARDUINO_H
#include <stddef.h>
#include <stdint.h>
#include "WString.h"

#define A0 17
uint32_t millis(void);
void delay(unsigned long ms);
int analogRead(uint8_t pin);

class __FlashStringHelper;
#define F(s) (reinterpret_cast<const __FlashStringHelper *>(s))

class HardwareSerial {
public:
    void begin(unsigned long baud);
    size_t print(const char *s);
    size_t print(const __FlashStringHelper *s);
    size_t println(const char *s);
    size_t println(const __FlashStringHelper *s);
};
extern HardwareSerial Serial;
#endif
