/* Included ahead of firmware/core/wd_core.c in the kernel (Kbuild -include):
 * the kernel headers the core's shims pull in come first, then the kernel's
 * `noinline` macro is dropped, so that the core's own
 * __attribute__((noinline)) means what it says to GCC instead of expanding
 * to a nested attribute. Nothing after this point uses the macro.
 * SPDX-License-Identifier: MIT */
#ifndef EXTWD_CORE_PRELUDE_H
#define EXTWD_CORE_PRELUDE_H
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/types.h>
#undef noinline
/* the simulated chip has no host calibration (SPEC 3.6), as the ATtiny85 build */
#define WD_CAL_HOST 0
#endif
