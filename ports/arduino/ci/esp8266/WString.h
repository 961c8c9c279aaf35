/* Stand-in for the ESP8266 core's WString.h (see Arduino.h here).
 * SPDX-License-Identifier: MIT */
#ifndef EXTWD_STANDIN_WSTRING_H
#define EXTWD_STANDIN_WSTRING_H
class String {
public:
    String(const char *s);
    unsigned int length() const;
};
#endif
