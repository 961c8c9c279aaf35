/* Stand-in for the ESP8266 Arduino core's Arduino.h: only the declarations
 * the extwd package and its examples use, with the core's signatures, so
 * that CI can compile them to objects with xtensa-lx106-elf-g++ without the
 * core. Declarations only: nothing here links or runs. Not shipped in the
 * package. SPDX-License-Identifier: MIT */
#ifndef EXTWD_STANDIN_ARDUINO_H
#define EXTWD_STANDIN_ARDUINO_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "WString.h"

#define HIGH 0x1
#define LOW 0x0
#define INPUT 0x00
#define OUTPUT 0x01
#define A0 17
#define LED_BUILTIN 2   /* GPIO2, the ESP-12 module's blue LED */

uint32_t millis(void);
void delay(unsigned long ms);
void pinMode(uint8_t pin, uint8_t mode);
void digitalWrite(uint8_t pin, uint8_t val);
int digitalRead(uint8_t pin);
int analogRead(uint8_t pin);

class __FlashStringHelper;
#define F(s) (reinterpret_cast<const __FlashStringHelper *>(s))

/* Print's text calls (the core's Print.h), as HardwareSerial inherits them. */
class Print {
public:
    size_t print(const char *s);
    size_t print(const __FlashStringHelper *s);
    size_t print(const String &s);
    size_t println(const char *s);
    size_t println(const __FlashStringHelper *s);
    size_t println(const String &s);
    size_t printf(const char *format, ...) __attribute__((format(printf, 2, 3)));
};

class HardwareSerial : public Print {
public:
    void begin(unsigned long baud);
};
extern HardwareSerial Serial;
#endif
