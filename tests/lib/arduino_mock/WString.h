/* A minimal Arduino String. SPDX-License-Identifier: MIT */
#ifndef MOCK_WSTRING_H
#define MOCK_WSTRING_H
#include <string>
class String {
public:
    String(const char *s = "") : s_(s) {}
    unsigned int length() const { return (unsigned int)s_.size(); }
    const char *c_str() const { return s_.c_str(); }
private:
    std::string s_;
};
#endif
