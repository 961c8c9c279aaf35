// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * extwd_wdt: the extwd I2C watchdog chip (and the stock TinyI2CWatchdog it
 * replaces) behind the kernel's watchdog core, so /dev/watchdog, systemd's
 * RuntimeWatchdogSec= and wdctl work with it.
 *
 * The wire protocol is SPEC.md; the numbers come from extwd/protocol.h, the
 * same header the chip firmware is built from.
 *
 * The chip arms itself at power-up, so it is usually running when this driver
 * probes: it is then reported as WDOG_HW_RUNNING and the watchdog core feeds
 * it until user space opens /dev/watchdog. The reset evidence (STATUS bit 0,
 * the cause, the breadcrumb, the counters) is read at probe before anything
 * feeds, because on the stock chip and extwd firmware 2.0 the first feed
 * clears STATUS bit 0 (firmware 2.1 keeps it until STATUS is read; SPEC 5.3).
 *
 * A disarm is bounded on the extwd chip (MAX_DISARM_S, 300 s from the
 * factory; SPEC 5.6): the chip re-arms itself when it ends, and the countdown
 * ran meanwhile. So a stopped watchdog is not left alone: while the chip
 * says its disarm will end, the driver keeps feeding it itself, so that the
 * re-arm does not reset a host that is running fine. Opening /dev/watchdog
 * again ends that and arms the chip.
 */
#include <linux/i2c.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mod_devicetable.h>
#include <linux/sysfs.h>
#include <linux/version.h>
#include <linux/watchdog.h>
#include <linux/workqueue.h>

#include "extwd/protocol.h"

#define DRV_NAME "extwd_wdt"

/* A failed ping is tried this many times in all before it fails. */
#define PING_ATTEMPTS 3
/* Bytes per read transaction on an extwd chip: the widest register. */
#define READ_CHUNK 4u
/* The stock chip's timeout register is whole seconds, 0 = never. */
#define STOCK_TIMEOUT_MAX_S 255u

static bool nowayout = WATCHDOG_NOWAYOUT;
module_param(nowayout, bool, 0444);
MODULE_PARM_DESC(nowayout, "Watchdog cannot be stopped once started (default="
		 __MODULE_STRING(WATCHDOG_NOWAYOUT) ")");

static unsigned int timeout;
module_param(timeout, uint, 0444);
MODULE_PARM_DESC(timeout, "Timeout in seconds (default: the chip's own)");

/* The reset evidence as it was at probe, before the first feed. */
struct extwd_evidence {
	u8 status;		/* STATUS (0x11) */
	u8 last_cause;		/* LAST_CAUSE (0x12) */
	u8 reset_count;		/* RESET_COUNT (0x0E) */
	u8 ext_status;		/* EXT_STATUS (0x25), extwd only */
	u8 breadcrumb;		/* BREADCRUMB_RST (0x41), extwd only */
	u8 bootloop_count;	/* BOOTLOOP_COUNT (0x2C), extwd only */
	u8 history_len;		/* HISTORY_LEN (0x2B), extwd only */
	u16 resets_total;	/* RESETS_TOTAL (0x2E), extwd only */
};

struct extwd_wdt {
	struct i2c_client *client;
	struct watchdog_device wdd;
	struct watchdog_info info;
	bool is_extwd;		/* "EXWD" at registers 0-3; else a stock chip */
	bool keyed;		/* OPTIONS bit 0: protective writes need the key */
	bool ping_failing;	/* a ping failed and was logged; quiet until one works */
	bool timeout_pending;	/* the chip's timeout was 0 at probe: write wdd->timeout at start */
	u16 caps;		/* CAPS (0x26), 0 on a stock chip */
	u8 fw[3];		/* FW_MAJOR, FW_MINOR, FW_PATCH */
	struct extwd_evidence ev;
	struct delayed_work idle_feed;	/* feeds a stopped chip whose disarm will end */
};

/* ---- bus ------------------------------------------------------------------ */

/* Sends one write frame. Returns 0 or a negative errno. */
static int extwd_send(struct extwd_wdt *wd, const u8 *frame, u16 len)
{
	struct i2c_msg msg = {
		.addr = wd->client->addr, .flags = 0, .len = len, .buf = (u8 *)frame,
	};
	int r = i2c_transfer(wd->client->adapter, &msg, 1);

	return r == 1 ? 0 : (r < 0 ? r : -EIO);
}

/* Reads n bytes from reg in one read transaction after a pointer set, both
 * with the bus segment held so no other master's pointer set can come
 * between them. An extwd chip takes [reg] as a pointer set and
 * auto-increments; a stock chip takes [0x83, reg] and answers one byte per
 * read (SPEC 2.2, 8). Returns 0 or a negative errno. */
static int extwd_read_once(struct extwd_wdt *wd, u8 reg, u8 *buf, u16 n)
{
	struct i2c_adapter *adap = wd->client->adapter;
	u8 set[2] = { EXTWD_CMD_SET_POINTER, reg };
	struct i2c_msg w = { .addr = wd->client->addr, .flags = 0, .buf = set, .len = 2 };
	struct i2c_msg rd = { .addr = wd->client->addr, .flags = I2C_M_RD, .buf = buf, .len = n };
	int r;

	if (wd->is_extwd) {
		set[0] = reg;
		w.len = 1;
	}
	i2c_lock_bus(adap, I2C_LOCK_SEGMENT);
	r = __i2c_transfer(adap, &w, 1);
	if (r == 1)
		r = __i2c_transfer(adap, &rd, 1);
	i2c_unlock_bus(adap, I2C_LOCK_SEGMENT);
	return r == 1 ? 0 : (r < 0 ? r : -EIO);
}

/* Reads n registers from reg: in chunks on an extwd chip, one at a time on a
 * stock one. Returns 0 or a negative errno. */
static int extwd_read(struct extwd_wdt *wd, u8 reg, u8 *buf, u16 n)
{
	u16 step = wd->is_extwd ? READ_CHUNK : 1u;
	u16 off;

	for (off = 0; off < n; off += step) {
		u16 k = min_t(u16, step, n - off);
		int r = extwd_read_once(wd, (u8)(reg + off), buf + off, k);

		if (r)
			return r;
	}
	return 0;
}

/* What the chip made of the last frame (SPEC 6) as an errno: 0 applied,
 * -EPERM locked, -EACCES no key, -EINVAL out of range, -EBUSY during the
 * reset pulse, -EIO anything else. A stock chip has no LAST_ERROR: 0.
 * Returns that errno, or the bus error of the read. */
static int extwd_last_error(struct extwd_wdt *wd)
{
	u8 e;
	int r;

	if (!wd->is_extwd)
		return 0;
	r = extwd_read(wd, EXTWD_REG_LAST_ERROR, &e, 1);
	if (r)
		return r;
	switch (e) {
	case EXTWD_ERR_OK:
		return 0;
	case EXTWD_ERR_LOCKED:
		return -EPERM;
	case EXTWD_ERR_KEY:
		return -EACCES;
	case EXTWD_ERR_RANGE:
		return -EINVAL;
	case EXTWD_ERR_BUSY:
		return -EBUSY;
	default:
		return -EIO;
	}
}

/* Sends a protective write (SPEC 5.11): the key first in keyed mode, then
 * the frame, then checks what the chip made of it. Returns 0 or a negative
 * errno (extwd_last_error). */
static int extwd_write_checked(struct extwd_wdt *wd, const u8 *frame, u16 len)
{
	static const u8 key[3] = { EXTWD_REG_KEY, EXTWD_KEY & 0xFFu, EXTWD_KEY >> 8 };
	int r;

	if (wd->keyed) {
		r = extwd_send(wd, key, sizeof(key));
		if (r)
			return r;
	}
	r = extwd_send(wd, frame, len);
	return r ? r : extwd_last_error(wd);
}

/* ---- watchdog operations -------------------------------------------------------- */

/* Feeds the chip, retrying a failed transfer; the first failure of a run is
 * logged, the rest are not, and a ping that works again says so once.
 * Returns 0 or the last negative errno. */
static int extwd_ping(struct watchdog_device *wdd)
{
	struct extwd_wdt *wd = watchdog_get_drvdata(wdd);
	static const u8 feed = EXTWD_CMD_FEED;
	int r = -EIO;
	int i;

	for (i = 0; i < PING_ATTEMPTS; i++) {
		r = extwd_send(wd, &feed, 1);
		if (!r)
			break;
	}
	if (r && !wd->ping_failing) {
		wd->ping_failing = true;
		dev_warn(&wd->client->dev, "feed failed %d times (%d); retrying at every ping\n",
			 PING_ATTEMPTS, r);
	} else if (!r && wd->ping_failing) {
		wd->ping_failing = false;
		dev_info(&wd->client->dev, "feeding again\n");
	}
	return r;
}

/* Writes the timeout: TIMEOUT_MS on an extwd chip, TIMEOUT_S on a stock
 * one. The chip keeps it until its next host reset, which restores the
 * saved one (SPEC 5.3). Returns 0 or a negative errno. */
static int extwd_set_timeout(struct watchdog_device *wdd, unsigned int t)
{
	struct extwd_wdt *wd = watchdog_get_drvdata(wdd);
	u8 f[5];
	int r;

	if (wd->is_extwd) {
		u32 ms = t * 1000u;

		f[0] = EXTWD_REG_TIMEOUT_MS;
		f[1] = ms & 0xFF;
		f[2] = (ms >> 8) & 0xFF;
		f[3] = (ms >> 16) & 0xFF;
		f[4] = ms >> 24;
		r = extwd_write_checked(wd, f, 5);
	} else {
		f[0] = EXTWD_REG_TIMEOUT_S;
		f[1] = (u8)t;
		r = extwd_write_checked(wd, f, 2);
	}
	if (!r) {
		wdd->timeout = t;
		wd->timeout_pending = false;
	}
	return r;
}

/* The interval of the driver's own feeding: half the timeout, as the
 * watchdog core pings. */
static unsigned long extwd_idle_interval(struct extwd_wdt *wd)
{
	return max_t(unsigned long, msecs_to_jiffies(wd->wdd.timeout * 1000u / 2u), 1);
}

static void extwd_idle_feed(struct work_struct *work)
{
	struct extwd_wdt *wd = container_of(to_delayed_work(work), struct extwd_wdt, idle_feed);

	extwd_ping(&wd->wdd);
	schedule_delayed_work(&wd->idle_feed, extwd_idle_interval(wd));
}

/* Reads whether a disarmed chip's disarm will end (DISARM_LEFT_S is not
 * 0xFFFF; a stock chip's never does). Returns 1, 0, or a negative errno. */
static int extwd_disarm_bounded(struct extwd_wdt *wd)
{
	u8 b[2];
	int r;

	if (!wd->is_extwd)
		return 0;
	r = extwd_read(wd, EXTWD_REG_DISARM_LEFT_S, b, 2);
	return r ? r : (b[0] & b[1]) != 0xFF;
}

/* Feeds, then arms: on the stock chip and extwd firmware 2.0 arming alone
 * does not restart the countdown (SPEC 5.1). Writes a timeout held back at
 * probe, and ends the driver's own feeding of a stopped chip. Returns 0 or
 * a negative errno. */
static int extwd_start(struct watchdog_device *wdd)
{
	struct extwd_wdt *wd = watchdog_get_drvdata(wdd);
	static const u8 arm[2] = { EXTWD_REG_ACTION, 1 };
	int r;

	cancel_delayed_work_sync(&wd->idle_feed);
	r = extwd_ping(wdd);
	if (!r && wd->timeout_pending)
		r = extwd_set_timeout(wdd, wdd->timeout);
	if (r)
		return r;
	r = extwd_send(wd, arm, sizeof(arm));
	return r ? r : extwd_last_error(wd);
}

/* Disarms. A locked chip refuses (-EPERM); the core then keeps it running.
 * If the disarm is bounded, the driver feeds the chip from now on (see the
 * top of the file). Returns 0 or a negative errno. */
static int extwd_stop(struct watchdog_device *wdd)
{
	struct extwd_wdt *wd = watchdog_get_drvdata(wdd);
	static const u8 disarm[2] = { EXTWD_REG_ACTION, 0 };
	int r = extwd_write_checked(wd, disarm, sizeof(disarm));

	if (r)
		return r;
	if (extwd_disarm_bounded(wd) != 0) /* bounded, or unknown: feed to be safe */
		schedule_delayed_work(&wd->idle_feed, extwd_idle_interval(wd));
	return 0;
}

/* Writes PRETIMEOUT_MS (0 = off). Only registered on chips with
 * CAP_PRETIMEOUT. Returns 0 or a negative errno. */
static int extwd_set_pretimeout(struct watchdog_device *wdd, unsigned int t)
{
	struct extwd_wdt *wd = watchdog_get_drvdata(wdd);
	u32 ms = t * 1000u;
	u8 f[3] = { EXTWD_REG_PRETIMEOUT_MS, ms & 0xFF, (ms >> 8) & 0xFF };
	int r;

	if (ms > 0xFFFFu)
		return -EINVAL;
	r = extwd_write_checked(wd, f, sizeof(f));
	if (!r)
		wdd->pretimeout = t;
	return r;
}

/* Returns the whole seconds left before the chip resets the host (TIME_LEFT_MS,
 * rounded down), 0 when none is pending or the read failed. */
static unsigned int extwd_get_timeleft(struct watchdog_device *wdd)
{
	struct extwd_wdt *wd = watchdog_get_drvdata(wdd);
	u8 b[4];
	u32 ms;

	if (extwd_read(wd, EXTWD_REG_TIME_LEFT_MS, b, 4))
		return 0;
	ms = b[0] | b[1] << 8 | b[2] << 16 | (u32)b[3] << 24;
	return ms == 0xFFFFFFFFu ? 0 : ms / 1000u;
}

static const struct watchdog_ops extwd_ops = {
	.owner = THIS_MODULE,
	.start = extwd_start,
	.stop = extwd_stop,
	.ping = extwd_ping,
	.set_timeout = extwd_set_timeout,
	.set_pretimeout = extwd_set_pretimeout,
	.get_timeleft = extwd_get_timeleft,
};

/* A stock chip: seconds, no time left, no pretimeout. */
static const struct watchdog_ops extwd_stock_ops = {
	.owner = THIS_MODULE,
	.start = extwd_start,
	.stop = extwd_stop,
	.ping = extwd_ping,
	.set_timeout = extwd_set_timeout,
};

/* ---- sysfs: the evidence read at probe ------------------------------------------ */

static struct extwd_wdt *dev_to_extwd(struct device *dev)
{
	struct watchdog_device *wdd = dev_get_drvdata(dev);

	return watchdog_get_drvdata(wdd);
}

/* LAST_CAUSE as a word; a cause SPEC.md does not define is shown as a number. */
static ssize_t reset_cause_show(struct device *dev, struct device_attribute *a, char *buf)
{
	static const char *const names[] = {
		[EXTWD_CAUSE_NONE] = "none",
		[EXTWD_CAUSE_TIMEOUT] = "timeout",
		[EXTWD_CAUSE_TEST] = "test",
		[EXTWD_CAUSE_WINDOW] = "window",
	};
	u8 c = dev_to_extwd(dev)->ev.last_cause;

	if (c < ARRAY_SIZE(names))
		return sysfs_emit(buf, "%s\n", names[c]);
	return sysfs_emit(buf, "%u\n", c);
}
static DEVICE_ATTR_RO(reset_cause);

/* One read-only attribute per field of the evidence or identity. */
#define EXTWD_ATTR(name, fmt, ...)							\
static ssize_t name##_show(struct device *dev, struct device_attribute *a, char *buf)	\
{											\
	struct extwd_wdt *wd = dev_to_extwd(dev);					\
	return sysfs_emit(buf, fmt "\n", __VA_ARGS__);					\
}											\
static DEVICE_ATTR_RO(name)

EXTWD_ATTR(chip, "%s", wd->is_extwd ? "extwd" : "stock");
EXTWD_ATTR(firmware_version, "%u.%u.%u", wd->fw[0], wd->fw[1], wd->fw[2]);
EXTWD_ATTR(caps, "0x%04x", wd->caps);
EXTWD_ATTR(reset_status, "0x%02x", wd->ev.status);
EXTWD_ATTR(reset_breadcrumb, "%u", wd->ev.breadcrumb);
EXTWD_ATTR(reset_count, "%u", wd->ev.reset_count);
EXTWD_ATTR(resets_total, "%u", wd->ev.resets_total);
EXTWD_ATTR(bootloop_count, "%u", wd->ev.bootloop_count);
EXTWD_ATTR(history_len, "%u", wd->ev.history_len);
EXTWD_ATTR(ext_status, "0x%02x", wd->ev.ext_status);

static struct attribute *extwd_attrs[] = {
	&dev_attr_chip.attr,
	&dev_attr_firmware_version.attr,
	&dev_attr_caps.attr,
	&dev_attr_reset_status.attr,
	&dev_attr_reset_cause.attr,
	&dev_attr_reset_breadcrumb.attr,
	&dev_attr_reset_count.attr,
	&dev_attr_resets_total.attr,
	&dev_attr_bootloop_count.attr,
	&dev_attr_history_len.attr,
	&dev_attr_ext_status.attr,
	NULL,
};
ATTRIBUTE_GROUPS(extwd);

/* ---- probe ------------------------------------------------------------------------ */

/* Tells an extwd chip from a stock one as libextwd does: registers 0-3 one
 * byte per read, which both answer (SPEC 8). Returns 0 or a negative errno. */
static int extwd_identify(struct extwd_wdt *wd)
{
	static const u8 id[4] = { 'E', 'X', 'W', 'D' };
	u8 got[4];
	int r;

	wd->is_extwd = false;
	r = extwd_read(wd, EXTWD_REG_PROJECT_ID, got, 4);
	if (r)
		return r;
	wd->is_extwd = !memcmp(got, id, 4);
	return 0;
}

/* Reads the stock registers 0x0E-0x12 and, on an extwd chip, the identity,
 * the extended evidence and the options. Nothing here feeds or writes
 * anything but pointer sets. Returns 0 or a negative errno. */
static int extwd_read_evidence(struct extwd_wdt *wd)
{
	struct extwd_evidence *ev = &wd->ev;
	u8 s[5], id[8], h[5], opt;
	int r;

	r = extwd_read(wd, EXTWD_REG_RESET_COUNT, s, sizeof(s));
	if (r)
		return r;
	ev->reset_count = s[0];
	ev->status = s[EXTWD_REG_STATUS - EXTWD_REG_RESET_COUNT];
	ev->last_cause = s[EXTWD_REG_LAST_CAUSE - EXTWD_REG_RESET_COUNT];
	if (!wd->is_extwd)
		return 0;

	r = extwd_read(wd, EXTWD_REG_FW_MAJOR, id, sizeof(id)); /* 0x21-0x28 */
	if (!r)
		r = extwd_read(wd, EXTWD_REG_HISTORY_LEN, h, sizeof(h)); /* 0x2B-0x2F */
	if (!r)
		r = extwd_read(wd, EXTWD_REG_BREADCRUMB_RST, &ev->breadcrumb, 1);
	if (!r)
		r = extwd_read(wd, EXTWD_REG_OPTIONS, &opt, 1);
	if (r)
		return r;
	memcpy(wd->fw, id, 3);
	ev->ext_status = id[EXTWD_REG_EXT_STATUS - EXTWD_REG_FW_MAJOR];
	wd->caps = id[EXTWD_REG_CAPS - EXTWD_REG_FW_MAJOR] |
		   id[EXTWD_REG_CAPS + 1 - EXTWD_REG_FW_MAJOR] << 8;
	ev->history_len = h[0];
	ev->bootloop_count = h[EXTWD_REG_BOOTLOOP_COUNT - EXTWD_REG_HISTORY_LEN];
	ev->resets_total = h[EXTWD_REG_RESETS_TOTAL - EXTWD_REG_HISTORY_LEN] |
			   h[EXTWD_REG_RESETS_TOTAL + 1 - EXTWD_REG_HISTORY_LEN] << 8;
	wd->keyed = opt & EXTWD_OPT_KEYED;
	return 0;
}

/* Reads whether the chip is armed and its timeout in ms (0 = never).
 * Returns 0 or a negative errno. */
static int extwd_read_running(struct extwd_wdt *wd, bool *armed, u32 *timeout_ms)
{
	u8 b[4], action;
	int r = extwd_read(wd, EXTWD_REG_ACTION, &action, 1);

	if (r)
		return r;
	*armed = action == 1;
	if (wd->is_extwd) {
		r = extwd_read(wd, EXTWD_REG_TIMEOUT_MS, b, 4);
		*timeout_ms = b[0] | b[1] << 8 | b[2] << 16 | (u32)b[3] << 24;
	} else {
		r = extwd_read(wd, EXTWD_REG_TIMEOUT_S, b, 1);
		*timeout_ms = b[0] * 1000u;
	}
	return r;
}

/* Fills the watchdog_info: the options follow the chip's capabilities. */
static void extwd_fill_info(struct extwd_wdt *wd)
{
	struct watchdog_info *info = &wd->info;

	info->options = WDIOF_SETTIMEOUT | WDIOF_KEEPALIVEPING | WDIOF_MAGICCLOSE |
			WDIOF_CARDRESET;
	if (wd->caps & EXTWD_CAP_PRETIMEOUT)
		info->options |= WDIOF_PRETIMEOUT;
	info->firmware_version = wd->fw[0] << 16 | wd->fw[1] << 8 | wd->fw[2];
	strscpy(info->identity, wd->is_extwd ? "extwd" : "TinyI2CWatchdog",
		sizeof(info->identity));
}

/* Chooses the timeout: the module parameter or the device tree's
 * timeout-sec if valid, else the chip's own rounded up to whole seconds,
 * and writes it to the chip when the chip's differs (a timeout that is
 * not whole seconds would otherwise be pinged too rarely). A chip whose
 * timeout is 0 (never) gets it at start instead: written now, it would
 * start a countdown nobody feeds. A locked chip refuses the write; the core
 * is then told the chip's real period through max_hw_heartbeat_ms.
 * Returns 0 or a negative errno. */
static int extwd_setup_timeout(struct extwd_wdt *wd, u32 chip_ms)
{
	struct watchdog_device *wdd = &wd->wdd;
	int r;

	wdd->timeout = chip_ms ? DIV_ROUND_UP(chip_ms, 1000u) : EXTWD_DEFAULT_TIMEOUT_MS / 1000u;
	wdd->timeout = clamp(wdd->timeout, wdd->min_timeout, wdd->max_timeout);
	watchdog_init_timeout(wdd, timeout, &wd->client->dev);
	if (chip_ms == wdd->timeout * 1000u)
		return 0;
	if (!chip_ms) {
		wd->timeout_pending = true;
		return 0;
	}
	r = extwd_set_timeout(wdd, wdd->timeout);
	if (r == -EPERM && chip_ms) {
		dev_info(&wd->client->dev, "chip locked: timeout stays %u ms\n", chip_ms);
		wdd->max_hw_heartbeat_ms = chip_ms;
		return 0;
	}
	return r;
}

static void extwd_cancel_idle_feed(void *data)
{
	struct extwd_wdt *wd = data;

	cancel_delayed_work_sync(&wd->idle_feed);
}

/* Reads the evidence before anything feeds, then registers the watchdog;
 * an armed chip is registered as running. Returns 0 or a negative errno. */
static int extwd_probe(struct i2c_client *client)
{
	struct device *dev = &client->dev;
	struct extwd_wdt *wd;
	struct watchdog_device *wdd;
	bool armed;
	u32 chip_ms;
	int r;

	if (!i2c_check_functionality(client->adapter, I2C_FUNC_I2C))
		return -ENODEV;
	wd = devm_kzalloc(dev, sizeof(*wd), GFP_KERNEL);
	if (!wd)
		return -ENOMEM;
	wd->client = client;
	wdd = &wd->wdd;

	r = extwd_identify(wd);
	if (!r)
		r = extwd_read_evidence(wd);
	if (!r)
		r = extwd_read_running(wd, &armed, &chip_ms);
	if (r)
		return dev_err_probe(dev, r, "no watchdog chip answers at 0x%02x\n", client->addr);

	extwd_fill_info(wd);
	wdd->info = &wd->info;
	wdd->ops = wd->is_extwd ? &extwd_ops : &extwd_stock_ops;
	wdd->parent = dev;
	wdd->groups = extwd_groups;
	wdd->min_timeout = 1;
	wdd->max_timeout = wd->is_extwd ? EXTWD_TIMEOUT_MS_MAX / 1000u : STOCK_TIMEOUT_MAX_S;
	wdd->bootstatus = (wd->ev.status & EXTWD_STATUS_WD_RESET) ? WDIOF_CARDRESET : 0;
	watchdog_set_drvdata(wdd, wd);

	/* A locked chip cannot be disarmed by anyone: that is nowayout. */
	watchdog_set_nowayout(wdd, nowayout || (wd->ev.ext_status & EXTWD_XS_LOCKED));

	r = extwd_setup_timeout(wd, chip_ms);
	if (r)
		return dev_err_probe(dev, r, "cannot set the timeout\n");
	if (armed && chip_ms)
		set_bit(WDOG_HW_RUNNING, &wdd->status);

	INIT_DELAYED_WORK(&wd->idle_feed, extwd_idle_feed);
	r = devm_add_action_or_reset(dev, extwd_cancel_idle_feed, wd);
	if (r)
		return r;
	/* Disarmed, or a timeout of 0: not running, but a bounded disarm ends in
	 * a countdown that ran meanwhile, so feed it (see the top of the file). */
	if (!(armed && chip_ms) && extwd_disarm_bounded(wd) != 0)
		schedule_delayed_work(&wd->idle_feed, 0);

	watchdog_stop_on_reboot(wdd);
	r = devm_watchdog_register_device(dev, wdd);
	if (r)
		return r;
	dev_info(dev, "%s chip %u.%u.%u at 0x%02x, timeout %u s, %s%s\n",
		 wd->info.identity, wd->fw[0], wd->fw[1], wd->fw[2], client->addr,
		 wdd->timeout, armed ? "running" : "stopped",
		 wdd->bootstatus ? ", last reset by the watchdog" : "");
	return 0;
}

static const struct i2c_device_id extwd_id[] = {
	{ "extwd", 0 },
	{ "extwd_wdt", 0 },
	{ }
};
MODULE_DEVICE_TABLE(i2c, extwd_id);

static const struct of_device_id extwd_of_match[] = {
	{ .compatible = "extwd,extwd" },
	{ }
};
MODULE_DEVICE_TABLE(of, extwd_of_match);

static struct i2c_driver extwd_driver = {
	.driver = {
		.name = DRV_NAME,
		.of_match_table = extwd_of_match,
	},
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
	.probe_new = extwd_probe,
#else
	.probe = extwd_probe,
#endif
	.id_table = extwd_id,
};
module_i2c_driver(extwd_driver);

MODULE_DESCRIPTION("extwd I2C watchdog chip (and stock TinyI2CWatchdog)");
MODULE_AUTHOR("extwd project");
MODULE_LICENSE("Dual MIT/GPL");
