/* <string.h> for the chip core in the kernel: memcpy, memset, memcmp.
 * SPDX-License-Identifier: MIT */
#ifndef EXTWD_KSHIM_STRING_H
#define EXTWD_KSHIM_STRING_H
#include <linux/string.h>
#endif
