/*
 * chipsim's result codes as libextwd's (the one mapping every chipsim-backed
 * extwd_port uses): an address NACK is "no device", any other failure of a
 * transaction is an I/O error.
 *
 * Part of extwd-sim, which links libsimavr: GPL-3.0-or-later.
 */
#ifndef EXTWD_SIM_CHIPSIM_EXTWD_H
#define EXTWD_SIM_CHIPSIM_EXTWD_H

#include "chipsim.h"
#include "extwd/extwd.h"

/* Returns EXTWD_OK, EXTWD_E_NODEV (address NACK) or EXTWD_E_IO. */
static inline int chipsim_extwd_rc(int chipsim_rc)
{
    if (chipsim_rc == CHIPSIM_OK)
        return EXTWD_OK;
    return chipsim_rc == CHIPSIM_E_NACK_ADDR ? EXTWD_E_NODEV : EXTWD_E_IO;
}

#endif /* EXTWD_SIM_CHIPSIM_EXTWD_H */
