// SPDX-License-Identifier: MIT
/*
 * The init of the Linux guest's initramfs (docs/guests.md, "Linux"): a static
 * aarch64 program, PID 1 of Debian's unmodified kernel, that checks what a VM
 * must give a kernel and says so on the console:
 *
 *   KCORE-LINUX-INIT: start
 *   KCORE-LINUX-INIT: mem: N MiB
 *   KCORE-LINUX-INIT: cpus: N online (LIST), expected E
 *   KCORE-LINUX-INIT: cpu N ran a task
 *   KCORE-LINUX-INIT: tmpfs: 65536 bytes written, synced, read back
 *   KCORE-LINUX-INIT: timers: N CPUs x 300 sleeps of 1 ms each, none early, all done in T ms
 *   KCORE-LINUX-INIT: ok cpus=N mem=MMiB tmpfs=ok     (or: FAIL <what>)
 *
 * then powers off (reboot(RB_POWER_OFF): PSCI SYSTEM_OFF on arm64). It never
 * returns (the kernel panics if init exits); if power-off fails it waits forever.
 *
 * The checks: RAM (sysinfo), the online CPUs (/sys/devices/system/cpu/online)
 * against kcore.expect_cpus=N on the kernel command line if given, a task
 * pinned to each online CPU runs there (the scheduler's migration needs
 * inter-processor interrupts), and a file on a tmpfs reads back as written.
 * With 2 CPUs or more, cpu 1 is then offlined and onlined 3 times (PSCI
 * CPU_OFF and CPU_ON): "KCORE-LINUX-INIT: hotplug: cpu 1 off and on 3 times".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

#define MIB	     (1024ull * 1024ull)
#define MAX_CPUS     1024
#define TMPFS_DIR    "/tmp"
#define TEST_FILE    TMPFS_DIR "/kcore-pattern"
#define TEST_SIZE    ((size_t)64 << 10)
#define EXPECT_PARAM "kcore.expect_cpus="

static int console_fd = 1;

/* One whole line on the console, in one write. */
void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	memcpy(line, TAG, sizeof(TAG) - 1);
	va_start(ap, fmt);
	n = vsnprintf(line + sizeof(TAG) - 1, sizeof(line) - sizeof(TAG), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n += (int)sizeof(TAG) - 1;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(console_fd, line, (size_t)n) < 0) {
		/* Nowhere to say it. */
	}
}

/*
 * The kernel opens /dev/console as init's fds 0-2 if it can. If it could not
 * (no /dev/console in the initramfs), open it ourselves, from devtmpfs if need be.
 */
static void open_console(void)
{
	int fd;

	if (fcntl(1, F_GETFD) >= 0)
		return;
	fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		mkdir("/dev", 0755);
		if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) == 0)
			fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	}
	if (fd >= 0)
		console_fd = fd;
}

/* Mounts TYPE on DIR (made if missing); false, with a FAIL line, on error. */
static bool mount_fs(const char *type, const char *dir, const char *opts)
{
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		say("FAIL mkdir %s: %s", dir, strerror(errno));
		return false;
	}
	if (mount(type, dir, type, MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) != 0) {
		say("FAIL mount %s on %s: %s", type, dir, strerror(errno));
		return false;
	}
	return true;
}

/* Reads a small file into buf (NUL-terminated, trailing newline dropped). */
bool read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0) {
		say("FAIL open %s: %s", path, strerror(errno));
		return false;
	}
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	return true;
}

static bool check_mem(unsigned long long *mib)
{
	struct sysinfo si;

	if (sysinfo(&si) != 0) {
		say("FAIL mem: sysinfo: %s", strerror(errno));
		return false;
	}
	*mib = (unsigned long long)si.totalram * si.mem_unit / MIB;
	say("mem: %llu MiB total, %llu MiB free", *mib,
	    (unsigned long long)si.freeram * si.mem_unit / MIB);
	if (si.totalram == 0 || *mib == 0) {
		say("FAIL mem: sysinfo reports no RAM");
		return false;
	}
	return true;
}

/*
 * Parses a CPU list such as "0-3,6" into online[]; returns the count, or -1
 * if malformed.
 */
static int parse_cpu_list(const char *s, bool *online)
{
	int count = 0;

	while (*s != '\0') {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;

		if (end == s || lo < 0 || lo >= MAX_CPUS)
			return -1;
		s = end;
		if (*s == '-') {
			hi = strtol(s + 1, &end, 10);
			if (end == s + 1 || hi < lo || hi >= MAX_CPUS)
				return -1;
			s = end;
		}
		for (long c = lo; c <= hi; c++) {
			if (!online[c])
				count++;
			online[c] = true;
		}
		if (*s == ',')
			s++;
		else if (*s != '\0')
			return -1;
	}
	return count;
}

/* kcore.expect_cpus=N from /proc/cmdline: N, 0 if absent, -1 if malformed. */
static long expected_cpus(const char *cmdline)
{
	const char *p = cmdline;

	while ((p = strstr(p, EXPECT_PARAM)) != NULL) {
		if (p == cmdline || p[-1] == ' ') {
			char *end;
			long n = strtol(p + strlen(EXPECT_PARAM), &end, 10);

			if (end == p + strlen(EXPECT_PARAM) || (*end != ' ' && *end != '\0') ||
			    n < 1 || n > MAX_CPUS)
				return -1;
			return n;
		}
		p++;
	}
	return 0;
}

/* A child pinned to cpu must find itself running there. */
static bool run_on_cpu(int cpu)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		say("FAIL cpus: fork: %s", strerror(errno));
		return false;
	}
	if (pid == 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET((size_t)cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0)
			_exit(2);
		/* The move happens at the latest when the task next runs: give way once. */
		sched_yield();
		_exit(sched_getcpu() == cpu ? 0 : 3);
	}
	if (waitpid(pid, &status, 0) != pid) {
		say("FAIL cpus: waitpid: %s", strerror(errno));
		return false;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		say("FAIL cpus: a task pinned to cpu %d %s", cpu,
		    WIFEXITED(status) && WEXITSTATUS(status) == 2 ? "could not be pinned"
								  : "did not run there");
		return false;
	}
	say("cpu %d ran a task", cpu);
	return true;
}

static bool check_cpus(const char *cmdline, int *count)
{
	static bool online[MAX_CPUS];
	char list[256];
	cpu_set_t affinity;
	long expect = expected_cpus(cmdline);

	if (!read_text("/sys/devices/system/cpu/online", list, sizeof(list)))
		return false;
	*count = parse_cpu_list(list, online);
	if (*count <= 0) {
		say("FAIL cpus: cannot parse /sys/devices/system/cpu/online '%s'", list);
		return false;
	}
	if (sched_getaffinity(0, sizeof(affinity), &affinity) != 0) {
		say("FAIL cpus: sched_getaffinity: %s", strerror(errno));
		return false;
	}
	if (expect < 0) {
		say("FAIL cpus: bad " EXPECT_PARAM " on the command line (1 to %d)", MAX_CPUS);
		return false;
	}
	if (expect > 0)
		say("cpus: %d online (%s), %d in init's affinity, expected %ld", *count, list,
		    CPU_COUNT(&affinity), expect);
	else
		say("cpus: %d online (%s), %d in init's affinity (no " EXPECT_PARAM "N)", *count,
		    list, CPU_COUNT(&affinity));
	if (expect > 0 && *count != expect) {
		say("FAIL cpus: %d online, expected %ld", *count, expect);
		return false;
	}
	for (int c = 0; c < MAX_CPUS; c++) {
		if (online[c] && !run_on_cpu(c))
			return false;
	}
	return true;
}

static unsigned char pattern_byte(size_t i)
{
	/* Not periodic in any power of two below 64 KiB, so misplaced pages show. */
	return (unsigned char)(((i * 2654435761u) >> 13) ^ (i >> 8));
}

static bool check_tmpfs(void)
{
	static unsigned char buf[TEST_SIZE];
	size_t done = 0;
	ssize_t n;
	int fd;

	if (!mount_fs("tmpfs", TMPFS_DIR, "size=16m,mode=1777"))
		return false;
	for (size_t i = 0; i < TEST_SIZE; i++)
		buf[i] = pattern_byte(i);
	fd = open(TEST_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		say("FAIL tmpfs: create " TEST_FILE ": %s", strerror(errno));
		return false;
	}
	while (done < TEST_SIZE && (n = write(fd, buf + done, TEST_SIZE - done)) > 0)
		done += (size_t)n;
	if (done != TEST_SIZE || fsync(fd) != 0 || close(fd) != 0) {
		say("FAIL tmpfs: write " TEST_FILE ": %zu of %zu bytes: %s", done, TEST_SIZE,
		    strerror(errno));
		return false;
	}
	sync();

	memset(buf, 0, sizeof(buf));
	done = 0;
	fd = open(TEST_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		say("FAIL tmpfs: open " TEST_FILE ": %s", strerror(errno));
		return false;
	}
	while (done < TEST_SIZE && (n = read(fd, buf + done, TEST_SIZE - done)) > 0)
		done += (size_t)n;
	close(fd);
	if (done != TEST_SIZE) {
		say("FAIL tmpfs: read back %zu of %zu bytes", done, TEST_SIZE);
		return false;
	}
	for (size_t i = 0; i < TEST_SIZE; i++) {
		if (buf[i] != pattern_byte(i)) {
			say("FAIL tmpfs: byte %zu reads 0x%02x, wrote 0x%02x", i, buf[i],
			    pattern_byte(i));
			return false;
		}
	}
	if (unlink(TEST_FILE) != 0 || umount(TMPFS_DIR) != 0) {
		say("FAIL tmpfs: clean up: %s", strerror(errno));
		return false;
	}
	say("tmpfs: %zu bytes written, synced, read back", TEST_SIZE);
	return true;
}

/* ---- CPU hotplug (issue 16): PSCI CPU_OFF and CPU_ON, through kcore ---- */
#define HOTPLUG_ROUNDS 3
#define HOTPLUG_FILE   "/sys/devices/system/cpu/cpu1/online"

static bool cpu1_online(bool *on)
{
	static bool online[MAX_CPUS];
	char list[256];

	memset(online, 0, sizeof(online));
	if (!read_text("/sys/devices/system/cpu/online", list, sizeof(list)) ||
	    parse_cpu_list(list, online) < 0)
		return false;
	*on = online[1];
	return true;
}

static bool write_online(const char *value)
{
	int fd = open(HOTPLUG_FILE, O_WRONLY);
	bool ok = fd >= 0 && write(fd, value, 1) == 1;

	if (!ok)
		say("FAIL hotplug: writing %s to " HOTPLUG_FILE ": %s", value, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ok;
}

/* cpu 1 offlined (CPU_OFF) and onlined (CPU_ON) again, and a task runs on it each time. */
static bool check_hotplug(int cpus)
{
	bool on;

	if (cpus < 2)
		return true;
	for (int i = 0; i < HOTPLUG_ROUNDS; i++) {
		if (!write_online("0") || !cpu1_online(&on))
			return false;
		if (on) {
			say("FAIL hotplug: cpu 1 still online after offlining it");
			return false;
		}
		if (!write_online("1") || !cpu1_online(&on))
			return false;
		if (!on) {
			say("FAIL hotplug: cpu 1 not online after onlining it");
			return false;
		}
		if (!run_on_cpu(1))
			return false;
	}
	say("hotplug: cpu 1 off and on %d times", HOTPLUG_ROUNDS);
	return true;
}

/*
 * Timers (issue 16): on every CPU of init's affinity at once, a task pinned
 * there sleeps TIMER_SLEEPS times for 1 ms (each sleep programs the CPU's
 * timer); each sleep must last at least 1 ms, and all must end within
 * TIMER_LIMIT_S seconds (a generous bound: no timing assertion).
 */
#define TIMER_SLEEPS  300
#define TIMER_LIMIT_S 120

static long long monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void timer_child(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((size_t)cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		_exit(2);
	for (int i = 0; i < TIMER_SLEEPS; i++) {
		struct timespec ms = {0, 1000000};
		long long t0 = monotonic_ns();

		while (nanosleep(&ms, &ms) != 0 && errno == EINTR)
			;
		if (monotonic_ns() - t0 < 1000000LL)
			_exit(3);
	}
	_exit(sched_getcpu() == cpu ? 0 : 4);
}

static bool check_timers(void)
{
	static pid_t pids[MAX_CPUS];
	cpu_set_t affinity;
	long long start = monotonic_ns();
	int n = 0, done = 0;

	if (sched_getaffinity(0, sizeof(affinity), &affinity) != 0) {
		say("FAIL timers: sched_getaffinity: %s", strerror(errno));
		return false;
	}
	for (int c = 0; c < MAX_CPUS && c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET((size_t)c, &affinity))
			continue;
		pids[c] = fork();
		if (pids[c] < 0) {
			say("FAIL timers: fork: %s", strerror(errno));
			return false;
		}
		if (pids[c] == 0)
			timer_child(c);
		n++;
	}
	while (done < n) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid > 0) {
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				say("FAIL timers: a sleeping task ended with status 0x%x", status);
				return false;
			}
			done++;
			continue;
		}
		if (monotonic_ns() - start > TIMER_LIMIT_S * 1000000000LL) {
			say("FAIL timers: %d of %d CPUs' sleep loops unfinished after %d s",
			    n - done, n, TIMER_LIMIT_S);
			return false;
		}
		usleep(10000);
	}
	say("timers: %d CPUs x %d sleeps of 1 ms each, none early, all done in %lld ms", n,
	    TIMER_SLEEPS, (monotonic_ns() - start) / 1000000LL);
	return true;
}

static bool run_checks(void)
{
	static char cmdline[4096];
	unsigned long long mib;
	int cpus;

	if (!mount_fs("proc", "/proc", NULL) || !mount_fs("sysfs", "/sys", NULL))
		return false;
	if (!read_text("/proc/cmdline", cmdline, sizeof(cmdline)))
		return false;
	say("cmdline: %s", cmdline);
	if (!check_mem(&mib) || !check_cpus(cmdline, &cpus) || !check_tmpfs())
		return false;
	if (!check_timers() || !virtio_checks(cmdline))
		return false;
	say("ok cpus=%d mem=%lluMiB tmpfs=ok", cpus, mib);
	return check_hotplug(cpus);
}

static unsigned long long read_cntvct(void)
{
	unsigned long long v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

int main(void)
{
	open_console();
	/*
	 * The virtual counter at init's first line: under QEMU -icount shift=0
	 * it counts instructions (16 per tick), and kcore gives a VM no counter
	 * offset, so against kserv's "registered ... at counter" line it says
	 * what booting took from VM creation to here.
	 */
	say("start cntvct=%llu", read_cntvct());
	if (getpid() != 1) {
		/* Not the VM's init: check nothing, and above all do not power anything off. */
		say("FAIL not PID 1 (pid %d): this program is the init of a VM's initramfs",
		    (int)getpid());
		return 1;
	}
	run_checks(); /* it says ok or FAIL */
	sync();
	say("power off");
	reboot(RB_POWER_OFF);
	say("FAIL power off: %s; waiting forever", strerror(errno));
	for (;;)
		pause();
}
