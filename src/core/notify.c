/* notify: sd_notify(3) for Type=notify units (core/notify.h). */
#include "core/notify.h"
#include "core/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

void wy_notify_ready(const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status ? status : "");
}

void wy_notify_reloading(void)
{
	sd_notify(0, "RELOADING=1\nSTATUS=reading the settings again");
}

void wy_notify_stopping(const char *status)
{
	sd_notifyf(0, "STOPPING=1\nSTATUS=%s", status ? status : "");
}

void wy_notify_alive(void)
{
	/* -1: not asked yet; 0: no watchdog */
	static int64_t interval_us = -1, next_ms;
	if (interval_us < 0) {
		uint64_t us = 0;
		interval_us = sd_watchdog_enabled(0, &us) > 0 ? (int64_t)us : 0;
	}
	if (!interval_us)
		return;
	int64_t now = wy_now_ms();
	if (now < next_ms)
		return;
	next_ms = now + interval_us / 2000;
	sd_notify(0, "WATCHDOG=1");
}
