/*
 * main.c - the kmm program: run scenario scripts on a simulated machine.
 *
 *   kmm demo            the guided demo (examples/demo.kmm, built in)
 *   kmm run FILE        run a script (FILE "-" reads standard input)
 *   kmm parse FILE      check a script's syntax without running it
 *   kmm replay --strace FILE [--exec PATH] [--proc-dir DIR] [--json] [--strict]
 *              [--boot OPTIONS]
 *                       replay a real program's strace log (tools/kmm/replay.c)
 *   kmm help [NAME]     a command or a kind of value, from the tables
 *   kmm --help | --version
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/kmm.h>
#include <kmm/params.h>
#include <kmm/procfs.h>
#include "tools/kmm/command.h"

extern const char kmm_demo_script[];

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kmm demo | kmm run FILE | kmm parse FILE | kmm help [COMMAND|KIND] |\n"
		"       kmm replay --strace FILE [--exec PATH] [--proc-dir DIR] [--json] [--strict]\n"
		"                  [--boot OPTIONS] |\n"
		"       kmm --help | kmm --version\n"
		"\n"
		"kmm runs the Linux %s memory manager on a simulated machine, driven by a\n"
		"scenario script (see docs/scenario.md).  FILE - reads the script from stdin.\n"
		"Exit status: 0 ok, 1 an expectation or check failed, 2 bad input or a\n"
		"command that could not run, 3 the simulated kernel panicked or hit BUG().\n",
		KMM_LINUX_VERSION);
}

static void help(void)
{
	usage(stdout);
	printf("\nScript commands (kmm help COMMAND says more):\n");
	help_commands(stdout);
	printf("\nBoot options (boot KEY=VALUE ...):\n");
	for (const struct kernel_param *p = param_first(); p; p = param_next(p))
		printf("  %-20s %s\n", p->prefix ? "node<N>" : p->name, p->help);
	printf("\nFiles (cat PATH, set PATH VALUE):\n");
	for (const struct proc_entry *e = proc_first(); e; e = proc_next(e))
		printf("  %s%s%s\n", e->path, e->prefix ? "/..." : "",
		       !e->show ? "  (write-only)" : !e->write ? "" : "  (writable)");
}

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);

		n += r;
		if (r == 0)
			break;
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
	}
	if (ferror(f)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

static int run_text(const char *text, size_t len, const char *name, bool parse_only)
{
	struct script s;
	char err[1024];
	int status;

	if (script_parse(text, len, name, &s, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		script_free(&s);
		return 2;
	}
	status = parse_only ? 0 : script_run(&s, stdout);
	script_free(&s);
	return status;
}

static int run_file(const char *path, bool parse_only)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t len;
	char *text;
	int status;

	if (!f) {
		fprintf(stderr, "kmm: %s: %s\n", path, strerror(errno));
		return 2;
	}
	text = read_all(f, &len);
	if (f != stdin)
		fclose(f);
	if (!text) {
		fprintf(stderr, "kmm: %s: cannot read the file\n", path);
		return 2;
	}
	status = run_text(text, len, strcmp(path, "-") ? path : "<stdin>", parse_only);
	free(text);
	return status;
}

/* A word for the script: quoted, or refused if it cannot be (a quote or a newline in it). */
static int quote_word(char *out, size_t size, const char *what, const char *word)
{
	if (strpbrk(word, "\"\n\\") || strlen(word) + 3 > size) {
		fprintf(stderr, "kmm replay: %s '%s' cannot be passed on (a quote, backslash or "
			"newline in it, or too long)\n", what, word);
		return -1;
	}
	snprintf(out, size, "\"%s\"", word);
	return 0;
}

/*
 * kmm replay --strace FILE ...: the script "boot OPTIONS / replay FILE
 * ...", run as any script is, so that the command and the program are
 * one engine.
 */
static int replay_main(int argc, char **argv)
{
	const char *file = NULL, *dir = NULL, *boot = NULL, *exec = NULL;
	bool json = false, strict = false;
	char qfile[4200], qdir[4200], qexec[4200], script[13000];
	int i;

	for (i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json"))
			json = true;
		else if (!strcmp(a, "--strict"))
			strict = true;
		else if (i + 1 < argc && !strcmp(a, "--strace"))
			file = argv[++i];
		else if (i + 1 < argc && !strcmp(a, "--proc-dir"))
			dir = argv[++i];
		else if (i + 1 < argc && !strcmp(a, "--boot"))
			boot = argv[++i];
		else if (i + 1 < argc && !strcmp(a, "--exec"))
			exec = argv[++i];
		else {
			fprintf(stderr, "kmm replay: unknown or incomplete option '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (!file) {
		fprintf(stderr, "kmm replay: --strace FILE is required\n");
		usage(stderr);
		return 2;
	}
	if (quote_word(qfile, sizeof(qfile), "--strace", file) ||
	    (dir && quote_word(qdir, sizeof(qdir), "--proc-dir", dir)) ||
	    (exec && quote_word(qexec, sizeof(qexec), "--exec", exec)) ||
	    (boot && strchr(boot, '\n')))
		return 2;
	snprintf(script, sizeof(script), "%s%s%sreplay %s format=%s strict=%d timing=1%s%s%s%s\n",
		 boot ? "boot " : "", boot ? boot : "", boot ? "\n" : "", qfile,
		 json ? "json" : "text", strict, dir ? " proc_dir=" : "", dir ? qdir : "",
		 exec ? " exec=" : "", exec ? qexec : "");
	return run_text(script, strlen(script), "kmm replay", false);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		help();
		return 0;
	}
	if (!strcmp(argv[1], "help") && argc <= 3) {
		if (argc == 2) {
			help();
			return 0;
		}
		if (help_topic(stdout, argv[2])) {
			fprintf(stderr, "kmm: no command or kind of value '%s' (kmm --help lists them)\n",
				argv[2]);
			return 2;
		}
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("kmm %s (Linux %s memory manager)\n", KMM_VERSION, KMM_LINUX_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "demo") && argc == 2)
		return run_text(kmm_demo_script, strlen(kmm_demo_script), "demo.kmm", false);
	if (!strcmp(argv[1], "replay"))
		return replay_main(argc, argv);
	if ((!strcmp(argv[1], "run") || !strcmp(argv[1], "parse")) && argc == 3)
		return run_file(argv[2], argv[1][0] == 'p');
	fprintf(stderr, "kmm: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
