/*
 * The seed's names (OTGW firmware, ADR-011) on top of libextwd, for drop-in
 * use in firmware written for the stock chip:
 *
 *   feedWatchDog()          rate-limited feed (100 ms), cheap when not due
 *   FEEDWATCHDOGNOW         feed at once (a statement macro, as in the seed)
 *   WatchDogEnabled(state)  1 = feed, then arm; 0 = disarm (bounded on extwd)
 *   getWatchdogResetReason() "Reset by External WD", or "" when it was not;
 *                            read at extwd_init, before the first feed
 *
 * The library has no globals, so the instance these act on belongs to the
 * application: it defines extwd_compat_instance() to return it (the Arduino
 * adapter in ports/arduino does so for its ExtWD object).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef EXTWD_COMPAT_H
#define EXTWD_COMPAT_H

#include "extwd/extwd.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returns the application's watchdog handle (initialised with extwd_init). */
struct extwd *extwd_compat_instance(void);

#ifdef __cplusplus
}
#endif

#define EXT_WD_I2C_ADDRESS EXTWD_I2C_ADDR_DEFAULT

/* Feeds at most every feed_interval_ms (100 ms by default). */
static inline void feedWatchDog(void)
{
    (void)extwd_feed(extwd_compat_instance());
}

/* Arms (1, after a feed) or disarms (0) the watchdog. */
static inline void WatchDogEnabled(uint8_t stateWatchdog)
{
    struct extwd *wd = extwd_compat_instance();
    (void)(stateWatchdog ? extwd_arm(wd) : extwd_disarm(wd));
}

#define FEEDWATCHDOGNOW (void)extwd_feed_now(extwd_compat_instance());

/* The reason text: "" when the last reset was not the watchdog's. */
static inline const char *getWatchdogResetReasonText(void)
{
    return extwd_reset_reason_text(extwd_reset_reason(extwd_compat_instance()));
}

#if defined(__cplusplus) && defined(ARDUINO)
#include <WString.h>
/* The seed's signature: a String, empty when the watchdog did not reset us. */
static inline String getWatchdogResetReason(void)
{
    return String(getWatchdogResetReasonText());
}
#else
static inline const char *getWatchdogResetReason(void)
{
    return getWatchdogResetReasonText();
}
#endif

#endif /* EXTWD_COMPAT_H */
