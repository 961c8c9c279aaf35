/* <stddef.h> for the chip core in the kernel: NULL, offsetof, size_t.
 * SPDX-License-Identifier: MIT */
#ifndef EXTWD_KSHIM_STDDEF_H
#define EXTWD_KSHIM_STDDEF_H
#include <linux/stddef.h>
#include <linux/types.h>
#endif
