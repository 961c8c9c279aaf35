/* The option sets other parts add to extwdctl (see ctl.h): list each one
 * here, before the NULL. SPDX-License-Identifier: MIT */
#include "ctl.h"

extern const struct ctl_extension ctl_mqtt_extension; /* tools/mqtt/extwdctl_mqtt.c */

const struct ctl_extension *const ctl_extensions[] = {
    &ctl_mqtt_extension,
    NULL,
};
