/* notify: telling the service manager (systemd's sd_notify) how the
 * process is: ready, reloading, stopping, still alive. Every call is a
 * no-op when the process was not started by systemd with Type=notify (no
 * NOTIFY_SOCKET), so commands run by hand pay nothing. */
#ifndef WY_NOTIFY_H
#define WY_NOTIFY_H

/* Started and serving (READY=1), with a line of status for
 * `systemctl status`. */
void wy_notify_ready(const char *status);

/* Reading the settings again (RELOADING=1); wy_notify_ready ends it. */
void wy_notify_reloading(void);

/* Stopping (STOPPING=1). */
void wy_notify_stopping(const char *status);

/* Alive (WATCHDOG=1) when the unit has WatchdogSec=: call it from the
 * loop whose progress it vouches for, as often as you like; it pings
 * twice per watchdog interval at most. */
void wy_notify_alive(void);

#endif
