/*
 * Output checkers for extwd-sim's tests: JSON syntax, XML well-formedness
 * (for the SVG) and VCD structure. Small and strict, so a writer bug shows.
 *
 * Part of extwd-sim's tests (GPL-3.0-or-later with the rest of extwd-sim).
 */
#ifndef EXTWD_SIM_CHECK_H
#define EXTWD_SIM_CHECK_H

#include <stddef.h>

/* Each returns 0 if the n bytes at s are valid, else -1 with a reason in why. */
int check_json(const char *s, size_t n, char *why, size_t whylen);
int check_xml(const char *s, size_t n, char *why, size_t whylen);
int check_vcd(const char *s, size_t n, char *why, size_t whylen);

#endif /* EXTWD_SIM_CHECK_H */
