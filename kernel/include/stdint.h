/* The kernel has no <stdint.h>; the extwd protocol header and chip core ask
 * for it, and <linux/types.h> has the same fixed-width names.
 * SPDX-License-Identifier: MIT */
#ifndef EXTWD_KSHIM_STDINT_H
#define EXTWD_KSHIM_STDINT_H
#include <linux/types.h>
#endif
