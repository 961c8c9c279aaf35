// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * extwd_chipsim (chipsim.c + the chip core): a test-only I2C adapter whose one device is the real extwd
 * chip core (firmware/core/wd_core.c, compiled into this module), so that
 * extwd_wdt can be tested in a real kernel against the chip's real logic.
 *
 * What an MCU port does, this module does: write frames go to
 * wd_core_frame, reads to wd_core_read_begin/next, a 16 ms hrtimer calls
 * wd_core_tick, EEPROM saves go to an array. The reset output does not
 * reset the machine: each falling edge of the reset line is counted and
 * timestamped, and so is each feed the core accepted, for the guest test to
 * read from /sys/module/extwd_chipsim/parameters/.
 *
 * Test code only; one chip per module, so the core's link-time EEPROM hook
 * can find it.
 */
#include <linux/hrtimer.h>
#include <linux/i2c.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/spinlock.h>

#include "wd_core.h"

struct chipsim {
	struct i2c_adapter adap;
	struct hrtimer tick;
	spinlock_t lock;	/* the core, the EEPROM and the records below */
	struct wd_core core;
	struct wd_persist persist;
	u8 eeprom[WD_EEPROM_SIZE];
	u8 outputs;		/* WD_OUT_* after the last core call */
	u64 feeds;		/* FEED frames the core accepted */
	u64 last_feed_ns;	/* CLOCK_MONOTONIC at the end of the last of them */
	u64 resets;		/* host resets: the reset line went low */
	u64 last_reset_ns;	/* CLOCK_MONOTONIC when it last did */
	u64 frames;		/* write frames */
};

static struct chipsim sim;

/* The core's EEPROM hook (wd_core.h): reads the one chip's array. */
void wd_port_eeprom_read(uint16_t offset, uint8_t *dst, uint8_t n)
{
	u8 i;

	for (i = 0; i < n; i++) {
		u32 at = (u32)offset + i;

		dst[i] = at < WD_EEPROM_SIZE ? sim.eeprom[at] : 0xFF;
	}
}

/* After every core call, as an MCU port: serve the requests, then follow the
 * outputs, recording a reset edge. Called with the lock held. */
static void chipsim_service(struct chipsim *s)
{
	u8 req = wd_core_take_requests(&s->core);
	u8 out;

	if (req & (WD_REQ_SAVE | WD_REQ_FACTORY)) {
		u8 slot[WD_EEPROM_SLOT_SIZE];
		u16 off = wd_core_eeprom_slot(&s->core, slot);

		if ((size_t)off + sizeof(slot) <= sizeof(s->eeprom))
			memcpy(s->eeprom + off, slot, sizeof(slot));
	}
	if (req & WD_REQ_SEAL)
		wd_core_seal(&s->core);
	if (req & WD_REQ_FACTORY)
		wd_core_init(&s->core, &s->persist, EXTWD_CHIP_WDRF);
	out = wd_core_outputs(&s->core);
	if ((out & WD_OUT_RESET) && !(s->outputs & WD_OUT_RESET)) {
		s->resets++;
		s->last_reset_ns = ktime_get_ns();
	}
	s->outputs = out;
}

/* The chip's 16 ms tick; overruns (a late timer) are caught up tick by tick
 * so the core's time stays nominal. */
static enum hrtimer_restart chipsim_tick(struct hrtimer *t)
{
	struct chipsim *s = container_of(t, struct chipsim, tick);
	u64 n = hrtimer_forward_now(t, ms_to_ktime(WD_TICK_MS));
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	while (n--) {
		wd_core_tick(&s->core, WD_TICK_MS, 0); /* an idle bus: both lines high */
		chipsim_service(s);
	}
	spin_unlock_irqrestore(&s->lock, flags);
	return HRTIMER_RESTART;
}

/* One message: a write is one frame (the chip NACKs past the sixth byte and
 * the core learns of the overflow), a read one read transaction. Returns 0
 * or -EIO for an overflowing frame. Called with the lock held. */
static int chipsim_msg(struct chipsim *s, struct i2c_msg *m)
{
	u16 i;

	if (m->flags & I2C_M_RD) {
		wd_core_read_begin(&s->core);
		for (i = 0; i < m->len; i++)
			m->buf[i] = wd_core_read_next(&s->core);
		chipsim_service(s);
		return 0;
	}
	s->frames++;
	wd_core_frame(&s->core, m->buf, m->len > EXTWD_FRAME_MAX ? EXTWD_FRAME_MAX + 1 : m->len);
	if (m->len == 1 && m->buf[0] == EXTWD_CMD_FEED && s->core.last_error == EXTWD_ERR_OK) {
		s->feeds++;
		s->last_feed_ns = ktime_get_ns();
	}
	chipsim_service(s);
	return m->len > EXTWD_FRAME_MAX ? -EIO : 0;
}

/* Each message ends its frame (a STOP or a repeated START). A message to an
 * address nobody answers is NACKed: -ENXIO. Returns msgs done or an errno. */
static int chipsim_xfer(struct i2c_adapter *adap, struct i2c_msg *msgs, int num)
{
	struct chipsim *s = i2c_get_adapdata(adap);
	unsigned long flags;
	int i, r = 0;

	spin_lock_irqsave(&s->lock, flags);
	for (i = 0; i < num && !r; i++) {
		if (msgs[i].addr != wd_core_address(&s->core))
			r = -ENXIO;
		else
			r = chipsim_msg(s, &msgs[i]);
	}
	spin_unlock_irqrestore(&s->lock, flags);
	return r ? r : num;
}

static u32 chipsim_func(struct i2c_adapter *adap)
{
	return I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL;
}

static const struct i2c_algorithm chipsim_algo = {
	.master_xfer = chipsim_xfer,
	.functionality = chipsim_func,
};

/* ---- records for the guest test, read-only parameters ---------------------------- */

enum chipsim_field { F_FEEDS, F_LAST_FEED_NS, F_RESETS, F_LAST_RESET_NS, F_FRAMES,
		     F_ACTION, F_TIMEOUT_MS, F_RESET_LINE };

/* Prints one record or chip setting, read under the lock. Returns its length. */
static int chipsim_get(char *buf, const struct kernel_param *kp)
{
	enum chipsim_field f = (enum chipsim_field)(uintptr_t)kp->arg;
	unsigned long flags;
	u64 v = 0;

	spin_lock_irqsave(&sim.lock, flags);
	switch (f) {
	case F_FEEDS: v = sim.feeds; break;
	case F_LAST_FEED_NS: v = sim.last_feed_ns; break;
	case F_RESETS: v = sim.resets; break;
	case F_LAST_RESET_NS: v = sim.last_reset_ns; break;
	case F_FRAMES: v = sim.frames; break;
	case F_ACTION: v = sim.core.set.action; break;
	case F_TIMEOUT_MS: v = sim.core.set.timeout_ms; break;
	case F_RESET_LINE: v = !!(sim.outputs & WD_OUT_RESET); break;
	}
	spin_unlock_irqrestore(&sim.lock, flags);
	return sysfs_emit(buf, "%llu\n", v);
}

static const struct kernel_param_ops chipsim_ro = { .get = chipsim_get };

#define CHIPSIM_RECORD(name, field) \
	module_param_cb(name, &chipsim_ro, (void *)(uintptr_t)(field), 0444)
CHIPSIM_RECORD(feeds, F_FEEDS);
CHIPSIM_RECORD(last_feed_ns, F_LAST_FEED_NS);
CHIPSIM_RECORD(resets, F_RESETS);
CHIPSIM_RECORD(last_reset_ns, F_LAST_RESET_NS);
CHIPSIM_RECORD(frames, F_FRAMES);
CHIPSIM_RECORD(action, F_ACTION);
CHIPSIM_RECORD(timeout_ms, F_TIMEOUT_MS);
CHIPSIM_RECORD(reset_line, F_RESET_LINE); /* 1 while the reset output is driven low */

/* ---- module ------------------------------------------------------------------------ */

/* Powers the chip up (erased EEPROM: factory defaults, armed, 20 s of grace),
 * starts its tick and registers the adapter. Returns 0 or a negative errno. */
static int __init chipsim_init(void)
{
	struct chipsim *s = &sim;
	int r;

	spin_lock_init(&s->lock);
	memset(s->eeprom, 0xFF, sizeof(s->eeprom));
	memset(&s->persist, 0xA5, sizeof(s->persist)); /* power-up RAM is not zero */
	wd_core_init(&s->core, &s->persist, EXTWD_CHIP_PORF);
	chipsim_service(s);

	s->adap.owner = THIS_MODULE;
	s->adap.algo = &chipsim_algo;
	strscpy(s->adap.name, "extwd chip core", sizeof(s->adap.name));
	i2c_set_adapdata(&s->adap, s);
	r = i2c_add_adapter(&s->adap);
	if (r)
		return r;
	hrtimer_init(&s->tick, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	s->tick.function = chipsim_tick;
	hrtimer_start(&s->tick, ms_to_ktime(WD_TICK_MS), HRTIMER_MODE_REL);
	pr_info("extwd_chipsim: chip core %u.%u.%u on i2c-%d at 0x%02x\n", WD_FW_MAJOR,
		WD_FW_MINOR, WD_FW_PATCH, s->adap.nr, wd_core_address(&s->core));
	return 0;
}

static void __exit chipsim_exit(void)
{
	hrtimer_cancel(&sim.tick);
	i2c_del_adapter(&sim.adap);
}

module_init(chipsim_init);
module_exit(chipsim_exit);
MODULE_DESCRIPTION("Test-only I2C adapter whose device is the extwd chip core");
MODULE_LICENSE("Dual MIT/GPL");
