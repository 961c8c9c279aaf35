/* A TwoWire with the ESP8266 core's interface, on top of an extwd_port (the
 * fake bus), recording the calls the adapter makes. SPDX-License-Identifier: MIT */
#ifndef MOCK_WIRE_H
#define MOCK_WIRE_H
#include <stddef.h>
#include <stdint.h>
#include "extwd/extwd.h"

class TwoWire {
public:
    const struct extwd_port *bus = nullptr;  /* set by the test */
    int begun_sda = -1, begun_scl = -1;
    uint32_t stretch_limit = 230;            /* the ESP8266 default */
    uint32_t transactions = 0;
    uint32_t transactions_at_begin = 0xFFFFFFFFu, transactions_at_stretch = 0xFFFFFFFFu;

    void begin(int sda, int scl) { begun_sda = sda; begun_scl = scl; transactions_at_begin = transactions; }
    void begin() { begin(-2, -2); }
    void setClockStretchLimit(uint32_t us) { stretch_limit = us; transactions_at_stretch = transactions; }
    void beginTransmission(uint8_t addr) { addr_ = addr; len_ = 0; }
    size_t write(const uint8_t *b, size_t n);
    size_t write(uint8_t b) { return write(&b, 1); }
    uint8_t endTransmission();
    uint8_t requestFrom(uint8_t addr, uint8_t n);
    int available() { return (int)(rlen_ - rpos_); }
    int read() { return rpos_ < rlen_ ? rbuf_[rpos_++] : -1; }

private:
    uint8_t addr_ = 0, buf_[32] = {0}, rbuf_[32] = {0};
    size_t len_ = 0, rlen_ = 0, rpos_ = 0;
};

extern TwoWire Wire;
#endif
