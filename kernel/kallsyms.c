/*
 * kallsyms.c - naming code addresses for reports ("Last user: [<...>](name+0x1c)").
 *
 * The simulated kernel's callers are host functions (C callers) or script
 * lines (the kmm program, which registers a resolver for its call sites);
 * host functions are named through the dynamic linker's symbol table.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

#include <kmm/sched.h>

static int (*resolver)(char *buf, size_t size, unsigned long addr);

void kallsyms_set_resolver(int (*resolve)(char *buf, size_t size, unsigned long addr))
{
	resolver = resolve;
}

int sprint_symbol(char *buf, size_t size, unsigned long addr)
{
	Dl_info info;

	if (resolver) {
		int n = resolver(buf, size, addr);

		if (n > 0)
			return n;
	}
	if (addr && dladdr((void *)addr, &info) && info.dli_sname)
		return snprintf(buf, size, "%s+%#lx", info.dli_sname,
				addr - (unsigned long)info.dli_saddr);
	return snprintf(buf, size, "%#lx", addr);
}
