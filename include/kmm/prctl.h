/*
 * prctl.h - prctl(PR_SET_MM, ...) (kernel/sys.c): a process's own idea of
 * where its program's parts are.  Linux 3.3's, not 2.6.34's (glossary):
 * kmm's strace replay uses it to give a process the break the traced
 * program had, since the program's image was loaded by an exec the log
 * does not show.
 */
#ifndef KMM_PRCTL_H
#define KMM_PRCTL_H

#define PR_SET_MM		35
#define PR_SET_MM_START_BRK	6
#define PR_SET_MM_BRK		7

/*
 * Set the current process's start of the heap or its break to @addr:
 * 0, -EINVAL for another option, an address outside the user space or
 * below the end of the data, a break below the start of the heap, or a
 * heap that would cover a mapping; -EFAULT without a process.
 */
long prctl_set_mm(int opt, unsigned long addr);

#endif /* KMM_PRCTL_H */
