/* The option sets other parts add to extwdctl (see ctl.h): list each one
 * here, before the NULL. SPDX-License-Identifier: MIT */
#include "ctl.h"

const struct ctl_extension *const ctl_extensions[] = {
    NULL,
};
