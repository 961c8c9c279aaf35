// SPDX-License-Identifier: (GPL-2.0 OR MIT)
/*
 * extwd_chipsim (chipsim.c + the chip core): a test-only I2C adapter whose one device is the real extwd
 * chip core (firmware/core/wd_core.c, compiled into this module), so that
 * extwd_wdt can be tested in a real kernel against the chip's real logic.
 *
 * What an MCU port does, firmware/host's wd_chip does (write frames, reads,
 * the 16 ms tick this module's hrtimer calls, EEPROM saves into an array,
 * the service of the core's requests). The reset output does not
 * reset the machine: each falling edge of the reset line is counted and
 * timestamped, and so is each feed the core accepted, for the guest test to
 * read from /sys/module/extwd_chipsim/parameters/.
 *
 * Writing N to parameters/nack makes the next N transfers to the extwd
 * chip fail as a NACK, to test the driver's handling of bus errors.
 *
 * The stock model is fed the same tick as milliseconds and recorded the
 * same way, under /sys/module/extwd_chipsim/parameters/stock_*.
 *
 * Test code only.
 */
#include <linux/hrtimer.h>
#include <linux/i2c.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/spinlock.h>

#define WD_CAL_HOST 0 /* as core_prelude.h: no host calibration (SPEC 3.6) */
#include "wd_chip.h"
#include "fake_stock.h"

/* What the guest test reads of one chip. */
struct chipsim_records {
	u64 feeds;		/* feeds the chip accepted */
	u64 last_feed_ns;	/* CLOCK_MONOTONIC at the end of the last of them */
	u64 resets;		/* host resets: the reset line went low */
	u64 last_reset_ns;	/* CLOCK_MONOTONIC when it last did */
	u64 frames;		/* write frames */
};

struct chipsim {
	struct i2c_adapter adap;	/* "extwd chip core" */
	struct i2c_adapter stock_adap;	/* "stock chip model" */
	struct hrtimer tick;
	spinlock_t lock;	/* everything below */
	struct wd_chip chip;	/* the core, its RAM and EEPROM, the port's service */
	struct chipsim_records rec;
	struct fake_stock stock;
	struct fake_device stock_dev;
	struct chipsim_records stock_rec;
	int nack;		/* fault injection: NACK this many more transfers to the extwd chip */
};

static struct chipsim sim;

static void record(u64 *count, u64 *at_ns)
{
	(*count)++;
	*at_ns = ktime_get_ns();
}

/* After every call to the chip (wd_chip served it): a new host reset is
 * recorded. Called with the lock held. */
static void chipsim_service(struct chipsim *s)
{
	if (s->chip.host_resets != s->rec.resets)
		record(&s->rec.resets, &s->rec.last_reset_ns);
}

/* The stock model after a call: a new host reset is recorded. */
static void stock_service(struct chipsim *s)
{
	if (s->stock.host_resets != s->stock_rec.resets)
		record(&s->stock_rec.resets, &s->stock_rec.last_reset_ns);
}

/* The chips' 16 ms tick; overruns (a late timer) are caught up tick by tick
 * so their time stays nominal. */
static enum hrtimer_restart chipsim_tick(struct hrtimer *t)
{
	struct chipsim *s = container_of(t, struct chipsim, tick);
	u64 n = hrtimer_forward_now(t, ms_to_ktime(WD_TICK_MS));
	unsigned long flags;

	spin_lock_irqsave(&s->lock, flags);
	while (n--) {
		wd_chip_tick(&s->chip); /* an idle bus: both lines high */
		chipsim_service(s);
		s->stock_dev.advance(s->stock_dev.dev, WD_TICK_MS);
		stock_service(s);
	}
	spin_unlock_irqrestore(&s->lock, flags);
	return HRTIMER_RESTART;
}

/* One message to the extwd chip: a write is one frame (the chip NACKs past
 * the sixth byte and the core learns of the overflow), a read one read
 * transaction. Returns 0 or -EIO for an overflowing frame. Lock held. */
static int core_msg(struct chipsim *s, struct i2c_msg *m)
{
	int r;

	if (m->flags & I2C_M_RD) {
		wd_chip_read(&s->chip, m->buf, m->len);
		chipsim_service(s);
		return 0;
	}
	s->rec.frames++;
	r = wd_chip_frame(&s->chip, m->buf, m->len);
	if (m->len == 1 && m->buf[0] == EXTWD_CMD_FEED && s->chip.core.last_error == EXTWD_ERR_OK)
		record(&s->rec.feeds, &s->rec.last_feed_ns);
	chipsim_service(s);
	return r ? -EIO : 0;
}

/* One message to the stock model. Returns 0 or -EIO (a data NACK). Lock held. */
static int stock_msg(struct chipsim *s, struct i2c_msg *m)
{
	struct fake_device *d = &s->stock_dev;
	u32 feeds = s->stock.feeds;
	int r;

	if (m->flags & I2C_M_RD)
		return d->read(d->dev, m->buf, m->len) ? -EIO : 0;
	s->stock_rec.frames++;
	r = d->write(d->dev, m->buf, m->len);
	if (s->stock.feeds != feeds)
		record(&s->stock_rec.feeds, &s->stock_rec.last_feed_ns);
	stock_service(s);
	return r ? -EIO : 0;
}

/* Each message ends its frame (a STOP or a repeated START). A message to an
 * address nobody answers is NACKed: -ENXIO. Returns msgs done or an errno. */
static int chipsim_xfer(struct i2c_adapter *adap, struct i2c_msg *msgs, int num)
{
	struct chipsim *s = i2c_get_adapdata(adap);
	bool stock = adap == &s->stock_adap;
	unsigned long flags;
	int i, r = 0;

	spin_lock_irqsave(&s->lock, flags);
	for (i = 0; i < num && !r; i++) {
		u8 addr = stock ? s->stock_dev.address(s->stock_dev.dev) : wd_core_address(&s->chip.core);

		if (msgs[i].addr != addr)
			r = -ENXIO;
		else if (!stock && s->nack > 0 && s->nack--)
			r = -ENXIO; /* as if the chip did not answer its address */
		else
			r = stock ? stock_msg(s, &msgs[i]) : core_msg(s, &msgs[i]);
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
#define F_STOCK 0x100 /* the same field of the stock model */

static u64 record_field(const struct chipsim_records *r, int f)
{
	switch (f) {
	case F_FEEDS: return r->feeds;
	case F_LAST_FEED_NS: return r->last_feed_ns;
	case F_RESETS: return r->resets;
	case F_LAST_RESET_NS: return r->last_reset_ns;
	case F_FRAMES: return r->frames;
	}
	return 0;
}

/* Prints one record or chip setting, read under the lock. Returns its length. */
static int chipsim_get(char *buf, const struct kernel_param *kp)
{
	int f = (int)(uintptr_t)kp->arg;
	struct chipsim *s = &sim;
	unsigned long flags;
	u64 v;

	spin_lock_irqsave(&s->lock, flags);
	if (f & F_STOCK) {
		f &= ~F_STOCK;
		if (f == F_ACTION)
			v = s->stock.reg[EXTWD_REG_ACTION];
		else if (f == F_TIMEOUT_MS)
			v = s->stock.reg[EXTWD_REG_TIMEOUT_S] * 1000u;
		else if (f == F_RESET_LINE)
			v = s->stock.pulse_left_ms != 0;
		else
			v = record_field(&s->stock_rec, f);
	} else if (f == F_ACTION) {
		v = s->chip.core.set.action;
	} else if (f == F_TIMEOUT_MS) {
		v = s->chip.core.set.timeout_ms;
	} else if (f == F_RESET_LINE) {
		v = !!(s->chip.outputs & WD_OUT_RESET);
	} else {
		v = record_field(&s->rec, f);
	}
	spin_unlock_irqrestore(&s->lock, flags);
	return sysfs_emit(buf, "%llu\n", v);
}

static const struct kernel_param_ops chipsim_ro = { .get = chipsim_get };

#define CHIPSIM_RECORD(name, field)							\
	module_param_cb(name, &chipsim_ro, (void *)(uintptr_t)(field), 0444);		\
	module_param_cb(stock_##name, &chipsim_ro, (void *)(uintptr_t)((field) | F_STOCK), 0444)
CHIPSIM_RECORD(feeds, F_FEEDS);
CHIPSIM_RECORD(last_feed_ns, F_LAST_FEED_NS);
CHIPSIM_RECORD(resets, F_RESETS);
CHIPSIM_RECORD(last_reset_ns, F_LAST_RESET_NS);
CHIPSIM_RECORD(frames, F_FRAMES);
CHIPSIM_RECORD(action, F_ACTION);
CHIPSIM_RECORD(timeout_ms, F_TIMEOUT_MS);
CHIPSIM_RECORD(reset_line, F_RESET_LINE); /* 1 while the reset output is driven low */

/* Fault injection: writing N makes the next N transfers to the extwd chip
 * NACK their address (-ENXIO), as a chip off the bus would. */
static int chipsim_set_nack(const char *val, const struct kernel_param *kp)
{
	unsigned long flags;
	int n, r = kstrtoint(val, 0, &n);

	if (r || n < 0)
		return r ? r : -EINVAL;
	spin_lock_irqsave(&sim.lock, flags);
	sim.nack = n;
	spin_unlock_irqrestore(&sim.lock, flags);
	return 0;
}

static int chipsim_get_nack(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(sim.nack));
}

static const struct kernel_param_ops chipsim_nack_ops = {
	.set = chipsim_set_nack,
	.get = chipsim_get_nack,
};
module_param_cb(nack, &chipsim_nack_ops, NULL, 0644);

/* ---- module ------------------------------------------------------------------------ */

static int chipsim_add(struct chipsim *s, struct i2c_adapter *adap, const char *name)
{
	adap->owner = THIS_MODULE;
	adap->algo = &chipsim_algo;
	strscpy(adap->name, name, sizeof(adap->name));
	i2c_set_adapdata(adap, s);
	return i2c_add_adapter(adap);
}

/* Powers the chips up (the extwd chip with an erased EEPROM: factory
 * defaults, armed, 3 s, 20 s of grace; the stock model with its defaults:
 * armed, 70 s, no grace), starts their tick and registers the adapters.
 * Returns 0 or a negative errno. */
static int __init chipsim_init(void)
{
	struct chipsim *s = &sim;
	int r;

	spin_lock_init(&s->lock);
	memset(s->chip.eeprom, 0xFF, sizeof(s->chip.eeprom));
	memset(&s->chip.persist, 0xA5, sizeof(s->chip.persist)); /* power-up RAM is not zero */
	wd_chip_start(&s->chip, EXTWD_CHIP_PORF);
	chipsim_service(s);
	fake_stock_power_up(&s->stock);
	fake_stock_device(&s->stock, &s->stock_dev);

	r = chipsim_add(s, &s->adap, "extwd chip core");
	if (r)
		return r;
	r = chipsim_add(s, &s->stock_adap, "stock chip model");
	if (r) {
		i2c_del_adapter(&s->adap);
		return r;
	}
	hrtimer_init(&s->tick, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	s->tick.function = chipsim_tick;
	hrtimer_start(&s->tick, ms_to_ktime(WD_TICK_MS), HRTIMER_MODE_REL);
	pr_info("extwd_chipsim: chip core %u.%u.%u on i2c-%d, stock model on i2c-%d, at 0x%02x\n",
		WD_FW_MAJOR, WD_FW_MINOR, WD_FW_PATCH, s->adap.nr, s->stock_adap.nr,
		wd_core_address(&s->chip.core));
	return 0;
}

static void __exit chipsim_exit(void)
{
	hrtimer_cancel(&sim.tick);
	i2c_del_adapter(&sim.stock_adap);
	i2c_del_adapter(&sim.adap);
}

module_init(chipsim_init);
module_exit(chipsim_exit);
MODULE_DESCRIPTION("Test-only I2C adapters: the extwd chip core and the stock chip model");
MODULE_LICENSE("Dual MIT/GPL");
