/* SPDX-License-Identifier: MIT */
/*
 * kcore-vmm's vCPUs: one thread per vCPU, each looping KCORE_VM_IOC_RUN on
 * its index, and how they all stop. Apart from main.c (arguments, files,
 * creating the VM) because this is the part with threads and signals.
 *
 * All threads start at once: kcore.ko keeps a vCPU the guest has not
 * started (PSCI CPU_ON) asleep inside the ioctl, and handles RAM faults, WFI,
 * SGIs and PSCI itself, so what comes back is MMIO and guest calls (handed
 * to vmm/exit.h's dispatcher, as kserv does, whose completion goes into the
 * next run's "in") and the power-off.
 *
 * Stopping: a vCPU that sees the power-off, or a failure, sets the VM's
 * stop flag and sends the process STOP_SIGNAL, which every thread blocks
 * but the main thread waits for (sigwaitinfo, with SIGINT and SIGTERM). The
 * main thread then sends KICK_SIGNAL to each vCPU thread: its handler does
 * nothing and is installed without SA_RESTART, so a thread inside the
 * ioctl (running the guest, or asleep in WFI or before CPU_ON) comes back
 * with EINTR and sees the flag. A kick can land just before a thread enters
 * the ioctl (after it looked at the flag), so the main thread kicks again
 * every KICK_PERIOD_MS until it has joined them all.
 *
 * Pausing for a snapshot (hostvmm_pause) works the same way: the asking
 * vCPU's thread sets paused and kicks the others until each is parked before
 * its next run; they run again at hostvmm_resume.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <kcore/kcore_ioctl.h>

#include "hostvmm/hostvmm.h"
#include "vmm/backend.h"
#include "vmm/exit.h"

#define KICK_SIGNAL    SIGUSR1
#define STOP_SIGNAL    SIGUSR2
#define KICK_PERIOD_MS 10
/* A vCPU still inside the ioctl after this long is stuck in the module: say so and give up. */
#define STOP_LIMIT_MS  5000

static void kick_handler(int sig)
{
	(void)sig; /* its only job is to interrupt the ioctl */
}

static bool stopping(const struct guest *g)
{
	return __atomic_load_n(&g->host->stop, __ATOMIC_ACQUIRE);
}

void hostvmm_request_stop(struct guest *g)
{
	if (!__atomic_exchange_n(&g->host->stop, true, __ATOMIC_ACQ_REL))
		kill(getpid(), STOP_SIGNAL); /* pending until the main thread takes it */
	/* Parked threads and a pausing one wait with a timeout: no lock needed to wake them. */
	pthread_cond_broadcast(&g->host->cond);
}

/* g's lock held: waits on g's cond at most ms (a wake-up may be missed: callers loop). */
static void cond_wait_ms(struct guest *g, long ms)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += ms * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_cond_timedwait(&g->host->cond, &g->host->lock, &until);
}

/*
 * Before each run: while a snapshot is taken this thread is parked here, out
 * of the ioctl, its next completion in its record (what the snapshot saves).
 */
static void park_while_paused(struct guest *g)
{
	struct guest_host *h = g->host;

	vmm_vm_lock(g);
	if (h->paused) {
		h->parked++;
		pthread_cond_broadcast(&h->cond);
		while (h->paused && !stopping(g))
			cond_wait_ms(g, KICK_PERIOD_MS);
		h->parked--;
	}
	vmm_vm_unlock(g);
}

bool hostvmm_pause(struct guest *g, const struct guest_vcpu *asking)
{
	struct guest_host *h = g->host;
	bool all = false;

	vmm_vm_lock(g);
	h->paused = true;
	for (long waited = 0; !stopping(g) && waited < STOP_LIMIT_MS; waited += KICK_PERIOD_MS) {
		all = h->threads_ready && h->parked == g->nr_vcpus - 1;
		if (all)
			break;
		/* Kicked again and again: a kick just before a thread's ioctl is lost. */
		for (u32 i = 0; h->threads_ready && i < g->nr_vcpus; i++)
			if (i != asking->id)
				pthread_kill(h->threads[i], KICK_SIGNAL);
		cond_wait_ms(g, KICK_PERIOD_MS);
	}
	vmm_vm_unlock(g);
	if (!all) {
		vmm_log("VM %s: %s", g->name,
			stopping(g) ? "it stopped while its vCPUs were paused for a snapshot"
				    : "its vCPUs did not leave KCORE_VM_IOC_RUN for a snapshot");
		hostvmm_resume(g);
	}
	return all;
}

void hostvmm_resume(struct guest *g)
{
	vmm_vm_lock(g);
	g->host->paused = false;
	pthread_cond_broadcast(&g->host->cond);
	vmm_vm_unlock(g);
}

static const char *vm_state_name(__u32 state)
{
	switch (state) {
	case KCORE_VM_VERIFIED:
		return "verified, never ran";
	case KCORE_VM_RUNNING:
		return "running";
	case KCORE_VM_POWERED_OFF:
		return "powered off";
	case KCORE_VM_FAILED:
		return "failed: kcore refused a run, or the module had no memory";
	default:
		return "unknown";
	}
}

/* A run that failed with err (not EINTR, not ESHUTDOWN): say what the header says it means. */
static void run_failed(struct guest_vcpu *v, int err)
{
	struct guest *g = v->g;
	struct kcore_vm_info info;
	const char *name = strerrorname_np(err);

	switch (err) {
	case EIO:
		memset(&info, 0, sizeof(info));
		vmm_log("VM %s: vCPU %u: KCORE_VM_IOC_RUN: EIO: kcore refused the run (the VM's "
			"state: %s)",
			g->name, v->id,
			ioctl(g->host->vm_fd, KCORE_VM_IOC_INFO, &info) == 0
			    ? vm_state_name(info.state)
			    : "unknown");
		break;
	case ENOMEM:
		vmm_log("VM %s: vCPU %u: KCORE_VM_IOC_RUN: ENOMEM: no page for the guest's RAM",
			g->name, v->id);
		break;
	case EBUSY:
		vmm_log("VM %s: vCPU %u: KCORE_VM_IOC_RUN: EBUSY: another thread runs this vCPU",
			g->name, v->id);
		break;
	case EINVAL:
		vmm_log("VM %s: vCPU %u: KCORE_VM_IOC_RUN: EINVAL: the module refused the request "
			"(vCPU, flags or the completion)",
			g->name, v->id);
		break;
	default:
		vmm_log("VM %s: vCPU %u: KCORE_VM_IOC_RUN: %s (%s)", g->name, v->id,
			name != NULL ? name : "?", strerror(err));
		break;
	}
	vmm_vm_fail(g, "a vCPU's KCORE_VM_IOC_RUN failed");
}

static void powered_off(struct guest_vcpu *v, bool reset)
{
	struct guest *g = v->g;

	vmm_vm_lock(g);
	g->kcore_poweroff = true;
	if (!g->done) {
		g->reset = reset;
		g->state = GUEST_POWERED_OFF;
		g->done = true;
	}
	vmm_vm_unlock(g);
	__atomic_store_n(&g->host->powered_off, true, __ATOMIC_RELEASE);
}

/* The run took v's completion: the next carries none unless its exit leaves one. */
static void forget_completion(struct guest_vcpu *v)
{
	v->next_flags = 0;
	v->next_mmio_value = 0;
	memset(v->next_call_ret, 0, sizeof(v->next_call_ret));
}

/* One KCORE_VM_IOC_RUN and its exit; false when this vCPU stops. */
static bool run_once(struct guest_vcpu *v, struct kcore_run *req)
{
	struct guest *g = v->g;
	struct vmm_exit out;
	int err;

	/* The completion the last exit left (none: flags 0); the run delivers it. */
	req->run.in.flags = v->next_flags;
	req->run.in.mmio_value = v->next_mmio_value;
	for (u32 i = 0; i < 4; i++)
		req->run.in.call_ret[i] = v->next_call_ret[i];
	if (ioctl(g->host->vm_fd, KCORE_VM_IOC_RUN, req) != 0) {
		err = errno;
		if (err == EINTR) {
			/*
			 * A kick (or a stray signal): the caller looks at the flag. kcore.ko
			 * delivers a completion before it looks for a signal, so none is
			 * pending any more (kcore_ioctl.h): the next run passes in.flags 0.
			 */
			forget_completion(v);
			return true;
		}
		if (stopping(g))
			return false; /* the VM is ending anyway: not this vCPU's failure */
		if (err == ESHUTDOWN) {
			/* Another vCPU's power-off: that vCPU's exit says which (off or reset). */
			__atomic_store_n(&g->host->shutdown, true, __ATOMIC_RELEASE);
			hostvmm_request_stop(g);
			return false;
		}
		run_failed(v, err);
		return false;
	}
	v->started = true;
	forget_completion(v); /* taken; vmm_exit_guest_call adds to next_flags: it starts at 0 */
	out = vmm_exit_handle(v, KCORE_OK, req->run.out.reason, &req->run);
	switch (out.action) {
	case VMM_EXIT_RUN_ON:
		return true;
	case VMM_EXIT_POWEROFF:
		powered_off(v, out.arg != 0);
		hostvmm_request_stop(g);
		return false;
	case VMM_EXIT_STOP:
		return false; /* vmm_vm_fail said why */
	default:
		vmm_log("VM %s: vCPU %u: kcore.ko returned a %s exit, which it handles itself",
			g->name, v->id, vmm_exit_reason_name(req->run.out.reason));
		vmm_vm_fail(g, "kcore.ko returned an exit it should have handled");
		return false;
	}
}

static void *vcpu_thread(void *arg)
{
	struct guest_vcpu *v = arg;
	struct guest *g = v->g;
	struct kcore_run req;

	memset(&req, 0, sizeof(req));
	req.vcpu = v->id;
	do
		park_while_paused(g);
	while (!stopping(g) && run_once(v, &req));
	vmm_vm_lock(g);
	v->state = VCPU_STOPPED;
	vmm_vm_unlock(g);
	hostvmm_request_stop(g); /* whatever ended this vCPU ends the VM */
	return NULL;
}

static struct timespec after_ms(long ms)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t); /* pthread_timedjoin_np's clock */
	t.tv_nsec += ms * 1000000L;
	t.tv_sec += t.tv_nsec / 1000000000L;
	t.tv_nsec %= 1000000000L;
	return t;
}

/* Kicks the first n vCPU threads out of the ioctl until all are joined; false if one is stuck. */
static bool stop_all(struct guest *g, u32 n)
{
	bool joined[GUEST_MAX_VCPUS] = {false};
	u32 left = n;

	for (long waited = 0; left > 0; waited += KICK_PERIOD_MS) {
		if (waited >= STOP_LIMIT_MS) {
			vmm_log("VM %s: %u vCPU thread(s) still in KCORE_VM_IOC_RUN after %d ms",
				g->name, left, STOP_LIMIT_MS);
			return false;
		}
		for (u32 i = 0; i < n; i++)
			if (!joined[i])
				pthread_kill(g->host->threads[i], KICK_SIGNAL);
		for (u32 i = 0; i < n; i++) {
			struct timespec until = after_ms(KICK_PERIOD_MS);

			if (!joined[i] &&
			    pthread_timedjoin_np(g->host->threads[i], NULL, &until) == 0) {
				joined[i] = true;
				left--;
			}
		}
	}
	return true;
}

/* Until a vCPU asks for the stop, or SIGINT or SIGTERM comes. */
static void wait_for_stop(struct guest *g, const sigset_t *set)
{
	for (;;) {
		int sig = sigwaitinfo(set, NULL);

		if (sig == STOP_SIGNAL)
			return;
		if (sig == SIGINT || sig == SIGTERM) {
			vmm_log("VM %s: %s: stopping it", g->name,
				sig == SIGINT ? "SIGINT" : "SIGTERM");
			vmm_vm_fail(g, "stopped by a signal");
			return;
		}
		/* sig < 0: EINTR (another signal's handler ran); wait again. */
	}
}

bool hostvmm_run_vcpus(struct guest *g)
{
	struct sigaction kick;
	sigset_t wait_set;
	u32 started = 0;
	int err = 0;

	/* Blocked in every thread (they inherit it): only sigwaitinfo below takes them. */
	sigemptyset(&wait_set);
	sigaddset(&wait_set, STOP_SIGNAL);
	sigaddset(&wait_set, SIGINT);
	sigaddset(&wait_set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &wait_set, NULL);
	memset(&kick, 0, sizeof(kick));
	kick.sa_handler = kick_handler;
	sigemptyset(&kick.sa_mask);
	kick.sa_flags = 0; /* no SA_RESTART: the ioctl returns EINTR */
	sigaction(KICK_SIGNAL, &kick, NULL);

	vmm_vm_lock(g);
	g->state = GUEST_RUNNING;
	for (u32 i = 0; i < g->nr_vcpus; i++)
		g->vcpus[i].state = VCPU_RUNNING;
	vmm_vm_unlock(g);
	for (; started < g->nr_vcpus; started++) {
		err = pthread_create(&g->host->threads[started], NULL, vcpu_thread,
				     &g->vcpus[started]);
		if (err != 0)
			break;
	}
	if (started < g->nr_vcpus) {
		vmm_log("VM %s: no thread for vCPU %u: %s", g->name, started, strerror(err));
		vmm_vm_fail(g, "could not start a thread per vCPU");
	} else {
		vmm_vm_lock(g);
		g->host->threads_ready = true; /* a snapshot may kick them all from here on */
		vmm_vm_unlock(g);
	}
	wait_for_stop(g, &wait_set);
	/*
	 * STOP_SIGNAL stays blocked from here on: the one SIGINT's vmm_vm_fail
	 * sent is still pending, and its default action would end the process.
	 */
	return stop_all(g, started) && started == g->nr_vcpus;
}
