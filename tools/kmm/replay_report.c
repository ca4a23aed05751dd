/*
 * replay_report.c - what a strace replay tells (replay.c acts the log
 * out): its report as text or one JSON object, its numbers as the value
 * of a script's `R = replay FILE`, the machine's /proc views written to
 * --proc-dir, and the script command itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kmm/procfs.h>
#include "tools/kmm/command.h"
#include "tools/kmm/replay.h"
#include "tools/kmm/replay_internal.h"
#include "tools/kmm/strace_parse.h"

void replay_copy_view(struct runtime *rt, struct script_cmd *c, const char *view, const char *path)
{
	char *text = rt_read_file(rt, c, view);
	FILE *f;

	if (!text)
		return;
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	free(text);
}

/* ---- the report ---- */

static const char *const place_why_name[PLACE_NR_WHY] = {
	[PLACE_UNEXPLAINED] = "unexplained", [PLACE_NO_IMAGE] = "no program image",
	[PLACE_THP] = "huge-page alignment",
	[PLACE_HIGHEST_HOLE] = "the highest hole",
	[PLACE_IN_FLIGHT] = "another thread's call in flight",
};

static const char *err_text(int err, char *buf, size_t size)
{
	if (!err)
		return "ok";
	if (err == OTHER_RESULT)
		return "ok, another result";
	if (err < 0)
		return "an errno kmm does not know";
	snprintf(buf, size, "%s", strace_errno_name(err));
	return buf;
}

/* --exec: the programs loaded, the execs left as empty images, what the first one could not know. */
static void report_exec(FILE *out, const struct replay *r, const struct replay_opts *o)
{
	fprintf(out, "  exec: %lu program%s loaded (the first %s, its argv %s, ", r->loaded,
		r->loaded == 1 ? "" : "s", o->exec, r->argv_none ? "{PATH}: the log shows none" :
		r->argv_cut ? "cut short in the log (strace -s)" : "the log's");
	if (r->env_count < 0)
		fprintf(out, "its envp the log's)");
	else
		fprintf(out, "kmm's default envp: the log shows %d variables, not their text, "
			"which strace -v shows)", r->env_count);
	fprintf(out, "; %lu execs left as empty images", r->exec_empty);
	for (int i = 0; i < r->nempty; i++)
		fprintf(out, "%s line %lu: %s", i ? "," : " (", r->empty[i].line,
			r->empty[i].err ? strace_errno_name(r->empty[i].err) : "no absolute path");
	fprintf(out, "%s; %lu breaks the log started elsewhere\n", r->nempty ? ")" : "",
		r->brk_moved);
}

static void report_text(FILE *out, const struct replay *r, const struct replay_opts *o, double secs)
{
	unsigned long calls = 0;
	const char *sep = "";

	for (int s = 1; s < STRACE_NR_SYS; s++)
		calls += r->calls[s];
	fprintf(out, "replay of %s: %lu lines, %lu calls replayed, %lu other calls ignored, "
		"%lu lines refused\n", o->file, r->lines, calls, r->ignored, r->refused);
	fprintf(out, "  calls:");
	for (int s = 1; s < STRACE_NR_SYS; s++)
		if (r->calls[s]) {
			fprintf(out, "%s %s %lu", sep, strace_sys_name(s), r->calls[s]);
			sep = ",";
		}
	fprintf(out, "%s\n", *sep ? "" : " none");
	fprintf(out, "  processes: %lu (%lu of unknown origin), threads %lu, execs %lu, exits %lu, "
		"signals %lu\n", r->processes, r->unknown_origin, r->threads, r->execs, r->exits,
		r->signals);
	if (o->exec)
		report_exec(out, r, o);
	fprintf(out, "  file mappings: %lu of the host files the log's openat named, %lu as anonymous "
		"stand-ins of the same size and protection (%llu bytes)\n", r->files, r->standins,
		r->standin_bytes);
	fprintf(out, "  placement: %lu mappings placed by the kernel in the log; kmm's "
		"get_unmapped_area agreed on %lu, disagreed on %lu\n", r->placed, r->agreed,
		r->placed - r->agreed);
	if (r->vvar)
		fprintf(out, "    %lu of the agreements once the %lu pages below kmm's one-page [vdso], where "
			"the host has [vvar] and a 2-page vdso, were held by a stand-in\n", r->vvar,
			r->vvar_pages);
	if (r->elsewhere_why[PLACE_NO_IMAGE])
		fprintf(out, "    disagreements: %lu in processes without the program's image (its "
			"mappings, ld.so and vdso are not there: no rule is tried)\n",
			r->elsewhere_why[PLACE_NO_IMAGE]);
	if (r->placed > r->agreed + r->elsewhere_why[PLACE_NO_IMAGE])
		fprintf(out, "    disagreements: %lu where the host aligned for huge pages (2 MiB, "
			"thp_get_unmapped_area), %lu where it took the highest hole (Linux 3.8's "
			"vm_unmapped_area; 2.6.34 searches on below its last placement), %lu while another "
			"thread's mmap, munmap or mremap was unfinished in the log (the host may have run "
			"it first), %lu unexplained\n", r->elsewhere_why[PLACE_THP],
			r->elsewhere_why[PLACE_HIGHEST_HOLE], r->elsewhere_why[PLACE_IN_FLIGHT],
			r->elsewhere_why[PLACE_UNEXPLAINED]);
	for (int i = 0; i < r->nelsewhere; i++)
		fprintf(out, "    line %lu: %lu bytes at %#lx in the log, kmm's layout: %#lx (%s)\n",
			r->elsewhere[i].line, r->elsewhere[i].len, r->elsewhere[i].log,
			r->elsewhere[i].kmm, place_why_name[r->elsewhere[i].why]);
	fprintf(out, "    placed at the log's address: %lu as their hint, %lu with MAP_FIXED; %lu "
		"mremap moves followed\n", r->hinted, r->forced, r->moved);
	fprintf(out, "  results: %lu as in the log, %lu different, %lu outside the mappings the "
		"log made (the image exec loaded)\n", r->same, r->differ, r->outside);
	for (int i = 0; i < r->nkinds; i++) {
		char a[32], b[32];

		fprintf(out, "    %s: log %s, kmm %s: %lu\n", strace_sys_name(r->kinds[i].sys),
			err_text(r->kinds[i].log_err, a, sizeof(a)),
			err_text(r->kinds[i].kmm_err, b, sizeof(b)), r->kinds[i].n);
	}
	if (r->after_exit || r->blocked)
		fprintf(out, "  not run: %lu lines of exited pids, %lu of a parent waiting in vfork\n",
			r->after_exit, r->blocked);
	fprintf(out, "  pids:");
	for (int i = 0; i < r->nprocs; i++)
		fprintf(out, " %d->%d%s", r->procs[i].pid, r->procs[i].kmm_pid,
			r->procs[i].live ? "" : "(exited)");
	fprintf(out, "\n");
	if (o->timing)
		fprintf(out, "  time: %.3f s, %.0f lines/s, %.0f calls/s\n", secs,
			secs > 0 ? r->lines / secs : 0, secs > 0 ? calls / secs : 0);
}

static void report_json(FILE *out, const struct replay *r, const struct replay_opts *o, double secs)
{
	unsigned long calls = 0;
	const char *sep = "";

	for (int s = 1; s < STRACE_NR_SYS; s++)
		calls += r->calls[s];
	fprintf(out, "{\"file\": \"");
	for (const char *p = o->file; *p; p++)
		fprintf(out, *p == '"' || *p == '\\' ? "\\%c" : (unsigned char)*p < 32 ? "\\u%04x" : "%c", *p);
	fprintf(out, "\", \"lines\": %lu, \"calls\": %lu, \"ignored\": %lu, \"refused\": %lu, "
		"\"blank\": %lu, \"signals\": %lu,\n \"by_call\": {", r->lines, calls, r->ignored,
		r->refused, r->blank, r->signals);
	for (int s = 1; s < STRACE_NR_SYS; s++)
		if (r->calls[s]) {
			fprintf(out, "%s\"%s\": %lu", sep, strace_sys_name(s), r->calls[s]);
			sep = ", ";
		}
	fprintf(out, "},\n \"processes\": %lu, \"unknown_origin\": %lu, \"threads\": %lu, "
		"\"execs\": %lu, \"exits\": %lu,\n", r->processes, r->unknown_origin, r->threads,
		r->execs, r->exits);
	fprintf(out, " \"file_mappings\": %lu, \"file_standins\": %lu, \"file_standin_bytes\": %llu,\n",
		r->files, r->standins, r->standin_bytes);
	fprintf(out, " \"placed\": %lu, \"placement_agreed\": %lu, \"placement_disagreed\": %lu, "
		"\"placement_vvar\": %lu, \"vvar_standin_pages\": %lu,\n \"placement_thp\": %lu, "
		"\"placement_highest_hole\": %lu, \"placement_in_flight\": %lu, "
		"\"placement_no_image\": %lu, "
		"\"placement_unexplained\": %lu, "
		"\"placed_by_hint\": %lu, \"placed_fixed\": %lu, \"mremap_moves\": %lu,\n",
		r->placed, r->agreed, r->placed - r->agreed, r->vvar, r->vvar_pages,
		r->elsewhere_why[PLACE_THP], r->elsewhere_why[PLACE_HIGHEST_HOLE],
		r->elsewhere_why[PLACE_IN_FLIGHT], r->elsewhere_why[PLACE_NO_IMAGE],
		r->elsewhere_why[PLACE_UNEXPLAINED], r->hinted,
		r->forced, r->moved);
	fprintf(out, " \"exec\": %s, \"exec_loaded\": %lu, \"exec_empty\": %lu, \"brk_moved\": %lu, "
		"\"exec_env_count\": %d, \"exec_argv_cut\": %s, \"exec_argv_shown\": %s,\n",
		o->exec ? "true" : "false", r->loaded, r->exec_empty, r->brk_moved, r->env_count,
		r->argv_cut ? "true" : "false", r->argv_none ? "false" : "true");
	fprintf(out, " \"results_same\": %lu, \"results_different\": %lu, \"outside\": %lu, "
		"\"after_exit\": %lu, \"vfork_blocked\": %lu,\n \"differences\": [", r->same,
		r->differ, r->outside, r->after_exit, r->blocked);
	for (int i = 0; i < r->nkinds; i++)
		fprintf(out, "%s{\"call\": \"%s\", \"log_errno\": %d, \"kmm_errno\": %d, \"n\": %lu}",
			i ? ", " : "", strace_sys_name(r->kinds[i].sys), r->kinds[i].log_err,
			r->kinds[i].kmm_err, r->kinds[i].n);
	fprintf(out, "],\n \"placed_elsewhere\": [");
	for (int i = 0; i < r->nelsewhere; i++)
		fprintf(out, "%s{\"line\": %lu, \"len\": %lu, \"log\": %lu, \"kmm\": %lu, "
			"\"why\": \"%s\"}", i ? ", " : "", r->elsewhere[i].line, r->elsewhere[i].len,
			r->elsewhere[i].log, r->elsewhere[i].kmm, place_why_name[r->elsewhere[i].why]);
	fprintf(out, "],\n \"pids\": [");
	for (int i = 0; i < r->nprocs; i++)
		fprintf(out, "%s{\"pid\": %d, \"kmm_pid\": %d, \"live\": %s}", i ? ", " : "",
			r->procs[i].pid, r->procs[i].kmm_pid, r->procs[i].live ? "true" : "false");
	fprintf(out, "]");
	if (o->timing)
		fprintf(out, ",\n \"seconds\": %.6f, \"lines_per_second\": %.0f, "
			"\"calls_per_second\": %.0f", secs, secs > 0 ? r->lines / secs : 0,
			secs > 0 ? calls / secs : 0);
	fprintf(out, "}\n");
}

void replay_report(FILE *out, const struct replay *r, const struct replay_opts *o, double secs)
{
	if (o->json)
		report_json(out, r, o, secs);
	else
		report_text(out, r, o, secs);
}

void replay_dump_system(struct runtime *rt, struct script_cmd *c, const char *dir)
{
	static const char *const views[] = { "meminfo", "vmstat", "buddyinfo", "zoneinfo",
					     "slabinfo" };
	char path[4200];

	proc_write("/proc/sys/vm/stat_refresh", "1");
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		char view[64];

		snprintf(view, sizeof(view), "/proc/%s", views[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, views[i]);
		replay_copy_view(rt, c, view, path);
	}
}

/* ---- the script command, and its value ---- */

/* R = replay FILE: the report's numbers, for expect. */
struct replay_value {
	long long lines, calls, ignored, refused, processes, threads, execs, exits, files, standins;
	long long placed, agreed, hinted, forced, moved, same, differ, outside;
	long long loaded, exec_empty, vvar, thp, highest_hole, in_flight, unexplained, sp;
};

#define RV_FIELD(f)								\
	static int rv_##f(const void *d, long long *out, char *err, size_t errlen)	\
	{									\
		(void)err;							\
		(void)errlen;							\
		*out = ((const struct replay_value *)d)->f;			\
		return 0;							\
	}
RV_FIELD(lines) RV_FIELD(calls) RV_FIELD(ignored) RV_FIELD(refused) RV_FIELD(processes)
RV_FIELD(threads) RV_FIELD(execs) RV_FIELD(exits) RV_FIELD(files) RV_FIELD(standins)
RV_FIELD(placed)
RV_FIELD(agreed) RV_FIELD(hinted) RV_FIELD(forced) RV_FIELD(moved) RV_FIELD(same)
RV_FIELD(differ) RV_FIELD(outside) RV_FIELD(loaded) RV_FIELD(exec_empty) RV_FIELD(vvar)
RV_FIELD(thp) RV_FIELD(highest_hole) RV_FIELD(in_flight) RV_FIELD(unexplained) RV_FIELD(sp)

static void rv_format(const void *d, char *buf, size_t size)
{
	const struct replay_value *v = d;

	snprintf(buf, size, "%lld lines, %lld calls, %lld refused, %lld different", v->lines,
		 v->calls, v->refused, v->differ);
}

const struct value_type replay_kind = {
	.name = "replay",
	.noun = "a replay's counts",
	.made_by = "replay",
	.size = sizeof(struct replay_value),
	.fields = (const struct value_field[]){
		{ "lines", rv_lines }, { "calls", rv_calls }, { "ignored", rv_ignored },
		{ "refused", rv_refused }, { "processes", rv_processes }, { "threads", rv_threads },
		{ "execs", rv_execs }, { "exits", rv_exits }, { "files", rv_files },
		{ "standins", rv_standins },
		{ "placed", rv_placed }, { "agreed", rv_agreed }, { "hinted", rv_hinted },
		{ "forced", rv_forced }, { "moved", rv_moved }, { "same", rv_same },
		{ "differ", rv_differ }, { "outside", rv_outside }, { "loaded", rv_loaded },
		{ "exec_empty", rv_exec_empty }, { "vvar", rv_vvar }, { "thp", rv_thp },
		{ "highest_hole", rv_highest_hole }, { "in_flight", rv_in_flight },
		{ "unexplained", rv_unexplained }, { "sp", rv_sp }, { NULL } },
	.format = rv_format,
};

void replay_give_counts(struct runtime *rt, struct script_cmd *c, const struct replay *r)
{
	struct replay_value *v = rt_result(rt, c, &replay_kind);

	if (!v)
		return;
	*v = (struct replay_value){
		.lines = r->lines, .ignored = r->ignored, .refused = r->refused,
		.processes = r->processes, .threads = r->threads, .execs = r->execs,
		.exits = r->exits, .files = r->files, .standins = r->standins, .placed = r->placed,
		.agreed = r->agreed, .hinted = r->hinted, .forced = r->forced, .moved = r->moved,
		.same = r->same, .differ = r->differ, .outside = r->outside, .loaded = r->loaded,
		.exec_empty = r->exec_empty, .vvar = r->vvar, .thp = r->elsewhere_why[PLACE_THP],
		.highest_hole = r->elsewhere_why[PLACE_HIGHEST_HOLE],
		.in_flight = r->elsewhere_why[PLACE_IN_FLIGHT],
		.unexplained = r->elsewhere_why[PLACE_UNEXPLAINED], .sp = (long long)r->first_sp,
	};
	for (int s = 1; s < STRACE_NR_SYS; s++)
		v->calls += r->calls[s];
}

/* A relative FILE is the script's neighbour: scripts and their logs travel together. */
static const char *beside_script(struct runtime *rt, const char *file, char *buf, size_t size)
{
	const char *slash = strrchr(rt->filename, '/');

	if (file[0] == '/' || !slash)
		return file;
	snprintf(buf, size, "%.*s/%s", (int)(slash - rt->filename), rt->filename, file);
	return buf;
}

static int cmd_replay(struct runtime *rt, struct script_cmd *c, const struct cmd_args *a)
{
	char path[4096];
	bool inline_log = !strcmp(arg_str(a, "file"), "-");
	struct replay_opts o = {
		.file = inline_log ? rt->filename : beside_script(rt, arg_str(a, "file"), path, sizeof(path)),
		.text = inline_log ? c->block : NULL,
		.first_line = inline_log ? c->line + 1 : 1,
		.proc_dir = arg_given(a, "proc_dir") ? arg_str(a, "proc_dir") : NULL,
		.exec = arg_given(a, "exec") ? arg_str(a, "exec") : NULL,
		.json = arg(a, "format")->word == 1,
		.strict = arg_num(a, "strict") != 0,
		.timing = arg_num(a, "timing") != 0,
	};

	if (inline_log != (c->block != NULL))
		return rt_error(rt, c, "replay: %s", inline_log ? "FILE - reads the log from a <<END block, "
				"and there is none" : "a <<END block is the log of FILE -");
	return replay_run(rt, c, &o);
}

const struct command_def replay_commands[] = {
	{ "replay", "replay a real program's strace log (strace -f -e trace=memory,process,file,desc) "
		    "as kmm processes, and report how kmm's results compare",
	  (const struct arg_def[]){
		  { "file", &arg_string, ARG_POS | ARG_REQUIRED, .meta = "FILE",
		    .help = "the strace log (strace -o FILE); a relative path is the script's neighbour; "
			    "- for the <<END block that follows (its lines reported as the script's)" },
		  { "format", &arg_word, 0, .meta = "text|json",
		    .words = (const char *const[]){ "text", "json", NULL }, .def_text = "text",
		    .help = "the report: human text, or one JSON object" },
		  { "proc_dir", &arg_string, 0, .meta = "DIR",
		    .help = "write DIR/PID/{maps,smaps,status} of each process at its exit (or at the "
			    "end) and DIR/{meminfo,vmstat,buddyinfo,zoneinfo,slabinfo}" },
		  { "exec", &arg_string, 0, .meta = "PATH",
		    .help = "the log's first process execs the host program PATH (with the log's argv and "
			    "envp, the PIE where today's kernels put it) before its first call, and each "
			    "later execve of the log loads the log's program when the host has it" },
		  { "strict", &arg_number, ARG_RANGE, .min = 0, .max = 1, .def_text = "0",
		    .help = "1: stop at the first malformed line" },
		  { "timing", &arg_number, ARG_RANGE, .min = 0, .max = 1, .def_text = "0",
		    .help = "1: report the time taken and the speed (varies from run to run)" },
		  { NULL } },
	  .result = "R", .gives = &replay_kind, .machine = true, .block = true, .run = cmd_replay },
	{ NULL },
};
