/*
 * signal.h - the signals memory management sends: SIGSEGV for an access
 * nothing maps or the protections refuse, SIGBUS for a page that cannot
 * exist (past the end of a file), SIGKILL from the OOM killer.  A process
 * in kmm has no handlers: a signal is recorded (number, si_code, address)
 * and, being fatal, ends the process as the default action would; the
 * machine goes on.  Numbers and codes are Linux's (x86).
 */
#ifndef KMM_SIGNAL_H
#define KMM_SIGNAL_H

#include <kmm/types.h>

/* (Guarded: C programs using libkmm may include the host's <signal.h> too; the values agree.) */
#ifndef SIGBUS
#define SIGABRT		6
#define SIGBUS		7
#define SIGKILL		9
#define SIGSEGV		11
#define SIGCHLD		17
#endif
#ifndef SEGV_MAPERR
#define SEGV_MAPERR	1	/* nothing mapped at the address */
#define SEGV_ACCERR	2	/* mapped, but the access is not allowed */
#define BUS_ADRERR	2	/* no such physical address (a page past EOF) */
#define SI_KERNEL	0x80
#endif

struct task_struct;

/* What a recorded signal said. */
struct kmm_siginfo {
	int signo;
	int code;		/* si_code */
	unsigned long addr;	/* si_addr */
};

/*
 * Send @sig to @t for what it just did (a fault): recorded in the task,
 * and the process dies of it at the end of the fault (no handlers).
 */
void force_sig_info(int sig, const struct kmm_siginfo *info, struct task_struct *t);
/* Send SIGKILL to @t (the OOM killer): it dies when it next runs in the kernel. */
void send_sigkill(struct task_struct *t);

#endif /* KMM_SIGNAL_H */
