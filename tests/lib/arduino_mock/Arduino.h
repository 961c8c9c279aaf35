/* Just enough of the Arduino core to compile ports/arduino on the host.
 * SPDX-License-Identifier: MIT */
#ifndef MOCK_ARDUINO_H
#define MOCK_ARDUINO_H
#include <stddef.h>
#include <stdint.h>
#include "WString.h"
uint32_t millis(void);
void delay(unsigned long ms);
#endif
