/* SPDX-License-Identifier: MIT */
#include "commands.h"

#include <kcore/payload.h>
#include <string.h>

#include "check.h"
#include "console.h"
#include "esr.h"
#include "fdt_info.h"
#include "hvc.h"
#include "probe.h"
#include "psci.h"
#include "smp.h"
#include "sysreg.h"
#include "tests/kserv/drivers.h"
#include "vms.h"

#define LINE_MAX    256
#define SCRIPT_MAX  2048
#define CMDS_PREFIX "kserv.cmds="

struct command {
	const char *name;
	const char *usage;
	const char *help;
	int (*fn)(int argc, char **argv);
};

static int cmd_help(int argc, char **argv);

static int cmd_cpus(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (u32 i = 0; i < smp_nr_cpus(); i++) {
		bool up = smp_cpu_online(i);

		if (up || i == 0)
			kprintf("cpus: cpu %u: MPIDR 0x%lx, up%s\n", i, smp_cpu_mpidr(i),
				i == 0 ? " (boot cpu)" : "");
		else
			kprintf("cpus: cpu %u: MPIDR 0x%lx, down (CPU_ON: %s)\n", i,
				smp_cpu_mpidr(i), psci_err_name(smp_cpu_on_result(i)));
	}
	kprintf("CPUS: %u up of %u\n", smp_nr_online(), smp_nr_cpus());
	return smp_nr_online() == smp_nr_cpus() ? 0 : 1;
}

static void print_probe_abort(const char *what, u64 pa)
{
	struct probe_abort a = kserv_probe_last_abort();
	char detail[96];

	esr_describe(a.esr, detail, sizeof(detail));
	kprintf("%s: 0x%lx: aborted (EC=0x%02x %s, %s, FAR=0x%lx)\n", what, pa, esr_ec(a.esr),
		esr_ec_name(esr_ec(a.esr)), detail, a.far);
}

static int cmd_peek(int argc, char **argv)
{
	u64 pa, v;

	if (argc != 2 || !parse_u64(argv[1], &pa)) {
		kprintf("usage: peek ADDR\n");
		return 1;
	}
	if (!kserv_probe_read(pa, &v)) {
		print_probe_abort("peek", pa);
		return 0;
	}
	kprintf("peek: 0x%lx = 0x%016lx\n", pa, v);
	return 0;
}

static int cmd_poke(int argc, char **argv)
{
	u64 pa, v;

	if (argc != 3 || !parse_u64(argv[1], &pa) || !parse_u64(argv[2], &v)) {
		kprintf("usage: poke ADDR VALUE\n");
		return 1;
	}
	if (!kserv_probe_write(pa, v)) {
		print_probe_abort("poke", pa);
		return 0;
	}
	kprintf("poke: 0x%lx <- 0x%016lx: done\n", pa, v);
	return 0;
}

/* The command fails without a checker too: it was asked to check and could not. */
static int cmd_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return check_invariants() == CHECK_OK ? 0 : 1;
}

static int cmd_poweroff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	kprintf("kserv: powering off\n");
	kserv_poweroff();
}

/*
 * At the end of the command list, kserv stops for good with the machine
 * running instead of powering off: QEMU's monitor reads kcore's memory then
 * (tests/qemu/run-scenario.sh -p). After a SYSTEM_OFF it would be too late:
 * kcore zeroes its carve-out before it powers off.
 */
static bool pause_at_end;

static int cmd_pause(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pause_at_end = true;
	return 0;
}

static const struct command commands[] = {
    {"help", "", "this list", cmd_help},
    {"info", "", "RAM, reserved ranges, CPUs, kcore's ABI version and trusted keys", cmd_info},
    {"cpus", "", "which CPUs are up", cmd_cpus},
    {"peek", "ADDR", "read 64 bits at a physical address (may abort)", cmd_peek},
    {"poke", "ADDR VALUE", "write 64 bits at a physical address (may abort)", cmd_poke},
    {"mem", "", "exercise the page allocator and host RAM", cmd_mem},
    {"attack-kcore", "[sweep]", "read and write kcore's reserved memory from every CPU",
     cmd_attack_kcore},
    {"hvc-garbage", "", "every host hypercall with bad arguments", cmd_hvc_garbage},
    {"dma", "", "DMA through edu behind kcore's SMMU: allowed and refused transfers", cmd_dma},
    {"check", "", "kcore's invariant checker (KC_HC_CHECK_INVARIANTS)", cmd_check},
    {"vms", "", "the VMs of the last payload run and their state", cmd_vms},
    {"run-payload", "", "create and run every VM of the payload (the initrd)", cmd_run_payload},
    {"poweroff", "", "PSCI SYSTEM_OFF", cmd_poweroff},
    {"pause", "", "at the end of the list, stop with the machine running instead of powering off",
     cmd_pause},
    {"reset-scan", "",
     "boot 1: run the payload, PSCI SYSTEM_RESET at the secret VM's first checkpoint; boot 2: "
     "scan RAM for its secret",
     cmd_reset_scan},
};

/*
 * The test and attack drivers' hooks (tests/kserv/drivers.h says why in this
 * order). Registered before any command runs; the host's code never names them.
 */
static const struct vmm_hooks *const test_hooks[] = {
    &reset_scan_hooks,	  &vm_attacks_hooks,	   &regworld_hooks, &vm_attacks_cpu_on_hooks,
    &snapshot_scan_hooks, &snapshot_attacks_hooks, &host_gic_hooks,
};

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (u32 i = 0; i < ARRAY_SIZE(commands); i++)
		kprintf("  %-13s %-11s %s\n", commands[i].name, commands[i].usage,
			commands[i].help);
	return 0;
}

bool parse_u64(const char *s, u64 *out)
{
	u64 base = 10, v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		u64 d;

		if (*s >= '0' && *s <= '9')
			d = (u64)(u8)*s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (u64)(u8)*s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (u64)(u8)*s - 'A' + 10;
		else
			return false;
		if (v > (~0ull - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int command_run(char *line)
{
	char *argv[CMD_MAX_ARGS];
	int argc = 0;

	for (char *p = line; *p != '\0';) {
		while (is_space(*p))
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (argc == CMD_MAX_ARGS) {
			kprintf("kserv: too many arguments\n");
			return 1;
		}
		argv[argc++] = p;
		while (*p != '\0' && !is_space(*p))
			p++;
	}
	if (argc == 0)
		return 0;
	for (u32 i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].fn(argc, argv);
	}
	kprintf("kserv: unknown command '%s' (try 'help')\n", argv[0]);
	return 1;
}

/*
 * The value of kserv.cmds= in the boot arguments, copied to buf: either
 * double-quoted, or everything to the end of the arguments (commands take
 * arguments separated by spaces, so kserv.cmds= comes last unless quoted).
 */
static bool script_from_bootargs(const char *args, char *buf, size_t size)
{
	const char *p = args;
	size_t n = 0;
	char end = '\0';

	for (;;) {
		p = strchr(p, 'k');
		if (p == NULL)
			return false;
		if ((p == args || is_space(p[-1])) &&
		    strncmp(p, CMDS_PREFIX, strlen(CMDS_PREFIX)) == 0)
			break;
		p++;
	}
	p += strlen(CMDS_PREFIX);
	if (*p == '"') {
		end = '"';
		p++;
	}
	while (p[n] != '\0' && p[n] != end && n + 1 < size) {
		buf[n] = p[n];
		n++;
	}
	buf[n] = '\0';
	if (p[n] != '\0' && p[n] != end)
		kprintf("kserv: kserv.cmds= longer than %zu bytes: truncated\n", size - 1);
	return true;
}

static void run_script(char *script)
{
	u32 ran = 0, failed = 0;
	char *cmd = script;

	while (cmd != NULL) {
		char *next = strchr(cmd, ';');

		if (next != NULL)
			*next++ = '\0';
		while (is_space(*cmd))
			cmd++;
		if (*cmd != '\0') {
			kprintf("kserv> %s\n", cmd);
			failed += command_run(cmd) != 0 ? 1 : 0;
			ran++;
		}
		cmd = next;
	}
	kprintf("kserv: %u commands run, %u reported a failure\n", ran, failed);
}

/* Reads one line with echo; backspace/DEL erase, Ctrl-U clears, Ctrl-C abandons. */
static void read_line(char *buf, size_t size)
{
	size_t n = 0;

	for (;;) {
		int c = console_getc();

		if (c == '\r' || c == '\n') {
			console_putc_raw('\r');
			console_putc_raw('\n');
			break;
		}
		if ((c == 0x7f || c == 0x08) && n > 0) {
			n--;
			console_putc_raw('\b');
			console_putc_raw(' ');
			console_putc_raw('\b');
		} else if (c == 0x15 || c == 0x03) { /* Ctrl-U, Ctrl-C */
			for (; n > 0; n--) {
				console_putc_raw('\b');
				console_putc_raw(' ');
				console_putc_raw('\b');
			}
			if (c == 0x03) {
				kprintf("^C\n");
				break;
			}
		} else if (c >= 0x20 && c < 0x7f && n + 1 < size) {
			buf[n++] = (char)c;
			console_putc_raw((char)c);
		}
	}
	buf[n] = '\0';
}

/* True if the command list names cmd as a command of its own. */
static bool script_has(const char *script, const char *cmd)
{
	size_t n = strlen(cmd);

	for (const char *p = script; (p = strchr(p, cmd[0])) != NULL; p++) {
		bool starts = p == script || p[-1] == ';' || is_space(p[-1]);
		char end = p[n];

		if (starts && strncmp(p, cmd, n) == 0 &&
		    (end == '\0' || end == ';' || is_space(end)))
			return true;
	}
	return false;
}

void commands_main(const char *bootargs)
{
	static char script[SCRIPT_MAX];
	static char line[LINE_MAX];
	bool scripted = script_from_bootargs(bootargs, script, sizeof(script));

	for (u32 i = 0; i < ARRAY_SIZE(test_hooks); i++)
		vmm_hooks_register(test_hooks[i]);

	if (machine.initrd.size != 0 && !vms_payload_present())
		kprintf("kserv: the initrd is not a VM payload (no %s magic): not running it\n",
			KCORE_PAYLOAD_MAGIC);
	/* A VM payload runs at boot, unless the command list says when. */
	if (vms_payload_present() && !(scripted && (script_has(script, "run-payload") ||
						    script_has(script, "reset-scan")))) {
		kprintf("kserv> run-payload (the initrd is a VM payload)\n");
		cmd_run_payload(0, NULL);
		if (!scripted) {
			kprintf("kserv: payload done; powering off\n");
			kserv_poweroff();
		}
	}
	if (scripted) {
		run_script(script);
		kprintf("KSERV: DONE\n");
		if (pause_at_end) {
			kprintf("KSERV: PAUSED\n");
			for (;;)
				wfi();
		}
		kserv_poweroff();
	}
	kprintf("kserv: interactive; 'help' lists the commands\n");
	for (;;) {
		kprintf("kserv> ");
		read_line(line, sizeof(line));
		command_run(line);
	}
}
