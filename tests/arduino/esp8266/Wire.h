/* Stand-in for the ESP8266 core's Wire.h: the TwoWire calls the extwd
 * adapter makes, with the ESP8266 signatures (begin(sda, scl),
 * setClockStretchLimit). SPDX-License-Identifier: MIT */
#ifndef EXTWD_STANDIN_WIRE_H
#define EXTWD_STANDIN_WIRE_H
#include <stddef.h>
#include <stdint.h>

class TwoWire {
public:
    void begin(int sda, int scl);
    void begin();
    void setClockStretchLimit(uint32_t limit);
    void beginTransmission(uint8_t address);
    uint8_t endTransmission();
    size_t write(const uint8_t *data, size_t quantity);
    uint8_t requestFrom(uint8_t address, uint8_t size);
    int available();
    int read();
};
extern TwoWire Wire;
#endif
