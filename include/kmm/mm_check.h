/*
 * mm_check.h - verifying every invariant of the memory manager's
 * structures.  Each layer registers its checks; mm_check() runs them all
 * and describes each problem found.  Tests end with it; debug builds can
 * run it after every scenario step.
 */
#ifndef KMM_MM_CHECK_H
#define KMM_MM_CHECK_H

#include <kmm/compiler.h>
#include <kmm/seq_file.h>

struct mm_checker {
	const char *name;
	/* Check; return the number of problems, describing each with check_report(). */
	int (*check)(struct seq_file *report);
};

#define MM_CHECK(id, fn)							\
	static const struct mm_checker __mm_check_##id __used			\
	__attribute__((section("kmm_checks"), aligned(sizeof(void *)))) = { #id, fn }

/*
 * Run every check.  Returns the number of problems; each is described by
 * a line in @report (which may be NULL).  The machine must be quiescent:
 * no other CPU may be allocating.
 */
int mm_check(struct seq_file *report);

/* Describe a problem: "mm_check: <checker>: <text>". */
void check_report(struct seq_file *report, const char *fmt, ...) __printf(2, 3);

#endif /* KMM_MM_CHECK_H */
