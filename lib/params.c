/*
 * params.c - splitting the boot command line and dispatching its words to
 * the handlers the layers registered (see params.h), and the per-thread
 * error message that explains a refusal.
 */
#include <stdio.h>
#include <string.h>

#include <kmm/errno.h>
#include <kmm/kernel.h>
#include <kmm/params.h>

extern const struct kernel_param __start_kmm_params[], __stop_kmm_params[];

static __thread char error_msg[512];
static __thread const char *current_name;

int kmm_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kmm_vsnprintf(error_msg, sizeof(error_msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *kmm_error_msg(void)
{
	return error_msg;
}

void kmm_error_clear(void)
{
	error_msg[0] = '\0';
}

const char *param_current_name(void)
{
	return current_name;
}

const struct kernel_param *param_first(void)
{
	return (const void *)__start_kmm_params != (const void *)__stop_kmm_params ? __start_kmm_params : NULL;
}

const struct kernel_param *param_next(const struct kernel_param *p)
{
	return p + 1 < __stop_kmm_params ? p + 1 : NULL;
}

int parse_size(const char *val, u64 *size)
{
	char *end;

	if (!val || !*val)
		return -EINVAL;
	*size = memparse(val, &end);
	return (*end || end == val) ? -EINVAL : 0;
}

/* An exact name wins over a prefix ("nodes" over "node<N>"). */
static const struct kernel_param *find_param(const char *name, size_t len)
{
	const struct kernel_param *p;

	for (p = param_first(); p; p = param_next(p))
		if (!p->prefix && strlen(p->name) == len && !strncmp(name, p->name, len))
			return p;
	for (p = param_first(); p; p = param_next(p)) {
		size_t n = strlen(p->name);

		if (p->prefix && len > n && !strncmp(name, p->name, n))
			return p;
	}
	return NULL;
}

int parse_early_params(const char *cmdline)
{
	char word[512], name[128];
	const char *s = cmdline;

	while (s && *s) {
		const char *start, *eq;
		const struct kernel_param *p;
		size_t len, nlen;
		int err;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		start = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		len = s - start;
		if (len >= sizeof(word))
			return kmm_error("boot option '%.40s...' is too long", start);
		memcpy(word, start, len);
		word[len] = '\0';
		eq = strchr(word, '=');
		nlen = eq ? (size_t)(eq - word) : len;
		if (nlen == 0)
			return kmm_error("boot option '%s' has no name", word);
		if (nlen >= sizeof(name))
			return kmm_error("boot option name '%.40s...' is too long", word);
		memcpy(name, word, nlen);
		name[nlen] = '\0';
		p = find_param(name, nlen);
		if (!p)
			return kmm_error("unknown boot option '%s'", name);
		current_name = name;
		kmm_error_clear();
		err = p->set(eq ? eq + 1 : NULL);
		current_name = NULL;
		if (err) {
			if (!error_msg[0])
				kmm_error("boot option '%s': invalid value '%s'", name, eq ? eq + 1 : "");
			return -EINVAL;
		}
	}
	return 0;
}
