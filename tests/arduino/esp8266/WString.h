/* Stand-in for the ESP8266 core's WString.h (see Arduino.h here): the
 * String calls the package and its examples make. SPDX-License-Identifier: MIT */
#ifndef EXTWD_STANDIN_WSTRING_H
#define EXTWD_STANDIN_WSTRING_H
class String {
public:
    String(const char *s = "");
    String(const String &other);
    ~String();
    unsigned int length() const;
    const char *c_str() const;
private:
    char *buffer_;
};
#endif
