/*
 * parse.c - reading a scenario script into commands.
 *
 * Line by line: strip the comment (a # outside quotes), split into words
 * (double quotes group, backslash escapes inside quotes), recognise an
 * assignment "NAME = ...", look the command up, check its arguments
 * against the command's table (keys it takes, how many positionals, the
 * keys it requires), and collect a <<WORD block: text, or commands parsed
 * like the script's own, with their own line numbers.  Every error names
 * the file and line.  The parser allocates; script_free() releases
 * everything, also after an error.  What an argument's value means is
 * checked when the command runs (args.c): it may hold $variables.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tools/kmm/command.h"

#define MAX_WORDS 64

static int perr(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int perr(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "%s:%d: error: ", file, line);

	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_ident(const char *s)
{
	if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/*
 * Split @line into words.  Returns the count, or -1 with a message for an
 * unterminated quote or too many words.  Words point into @buf.
 */
static int split_words(const char *line, char *buf, char **words, size_t *ends,
		       const char **msg)
{
	const char *p = line;
	char *o = buf;
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			break;
		if (n == MAX_WORDS) {
			*msg = "too many words on one line";
			return -1;
		}
		words[n++] = o;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1] == 'n') {
						*o++ = '\n';
						p += 2;
						continue;
					}
					if (*p == '\\' && p[1] == 't') {
						*o++ = '\t';
						p += 2;
						continue;
					}
					if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
						p++;
					*o++ = *p++;
				}
				if (*p != '"') {
					*msg = "unterminated quoted string";
					return -1;
				}
				p++;
			} else {
				*o++ = *p++;
			}
		}
		*o++ = '\0';
		ends[n - 1] = (size_t)(p - line);
	}
	return n;
}

/* The raw text of @line from offset @from on, without surrounding blanks. */
static char *rest_of_line(const char *line, size_t from)
{
	const char *p = line + from;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	return strndup(p, n);
}

static int parse_lines(const char *filename, char **lines, int nlines, int first_lineno,
		       struct script_cmd **cmds, int *n, char *err, size_t errlen);

/* Split words into c->argv: key=value pairs (unless the command takes free-form words). */
static int parse_args(const char *file, struct script_cmd *c, char **words, int first, int n,
		      char *err, size_t errlen)
{
	bool keys = !command_free_form(c->def);
	int npos = 0, min, max;
	char usage[512];
	const char *missing = NULL;

	command_usage(c->def, usage, sizeof(usage));
	c->argv = calloc(n - first, sizeof(*c->argv));
	for (int i = first + 1; i < n; i++) {
		char *eq = strchr(words[i], '=');
		struct script_arg *a = &c->argv[c->argc++];

		if (eq && eq != words[i] && words[i][0] != '$' && words[i][0] != '/' && keys) {
			a->key = strndup(words[i], eq - words[i]);
			a->value = strdup(eq + 1);
			if (!command_takes_key(c->def, a->key))
				return perr(err, errlen, file, c->line,
					    "%s: unknown argument '%s' (usage: %s)", c->def->name, a->key,
					    usage);
		} else {
			a->value = strdup(words[i]);
			npos++;
		}
	}
	command_positionals(c->def, &min, &max);
	if (npos < min || npos > max)
		return perr(err, errlen, file, c->line, "%s: %s (usage: %s)", c->def->name,
			    npos < min ? "missing argument" : "too many arguments", usage);
	/* Keys the command requires (count=N): missing is a syntax error. */
	for (const struct arg_def *d = c->def->args; d && d->name && !missing; d++) {
		bool found = false;

		if ((d->flags & (ARG_POS | ARG_REQUIRED)) != ARG_REQUIRED)
			continue;
		for (int i = 0; i < c->argc; i++)
			found |= c->argv[i].key && !strcmp(c->argv[i].key, d->name);
		if (!found)
			missing = d->name;
	}
	if (missing)
		return perr(err, errlen, file, c->line, "%s: missing %s= (usage: %s)", c->def->name,
			    missing, usage);
	return 0;
}

/*
 * The lines of a <<WORD block, up to the line WORD: into c->block as text,
 * or parsed into c->sub as commands.  *consumed: the lines it took, WORD's
 * included.
 */
static int parse_block(const char *file, struct script_cmd *c, const char *word, char **lines,
		       int nlines, int *consumed, char *err, size_t errlen)
{
	size_t cap = 256, len = 0, wl = strlen(word);
	char *text;
	int i;

	for (i = 0; i < nlines; i++) {
		const char *t = lines[i];

		while (*t == ' ' || *t == '\t')
			t++;
		if (!strncmp(t, word, wl) && strspn(t + wl, " \t") == strlen(t + wl))
			break;
	}
	if (i == nlines)
		return perr(err, errlen, file, c->line, "text block <<%s is not closed by a line '%s'",
			    word, word);
	*consumed = i + 1;
	if (c->def->block_is_commands && c->def->block_is_commands(c))
		return parse_lines(file, lines, i, c->line + 1, &c->sub, &c->nsub, err, errlen);
	text = malloc(cap);
	text[0] = '\0';
	for (int k = 0; k < i; k++) {
		size_t ln = strlen(lines[k]);

		while (len + ln + 2 > cap)
			text = realloc(text, cap *= 2);
		memcpy(text + len, lines[k], ln);
		len += ln;
		text[len++] = '\n';
		text[len] = '\0';
	}
	c->block = text;
	return 0;
}

static int parse_line(const char *file, struct script_cmd *c, char *line, int lineno,
		      char **lines, int nlines, int *consumed, char *err, size_t errlen)
{
	char *buf = malloc(strlen(line) + 1);
	char *words[MAX_WORDS];
	size_t ends[MAX_WORDS];
	char heredoc[64] = "";
	const char *msg = NULL;
	int n, first = 0, r = 0;

	if (!buf)
		return perr(err, errlen, file, lineno, "out of memory");
	c->line = lineno;
	n = split_words(line, buf, words, ends, &msg);
	if (n < 0) {
		r = perr(err, errlen, file, lineno, "%s", msg);
		goto out;
	}
	if (n >= 2 && !strcmp(words[1], "=")) {
		if (!is_ident(words[0])) {
			r = perr(err, errlen, file, lineno,
				 "'%s' is not a variable name (letters, digits, _)", words[0]);
			goto out;
		}
		if (n == 2) {
			r = perr(err, errlen, file, lineno, "nothing to assign to '%s'", words[0]);
			goto out;
		}
		c->assign = strdup(words[0]);
		first = 2;
	}
	c->def = command_find(words[first]);
	if (!c->def) {
		r = perr(err, errlen, file, lineno, "unknown command '%s'", words[first]);
		goto out;
	}
	if (c->assign && !c->def->result) {
		r = perr(err, errlen, file, lineno, "%s gives no value to assign", c->def->name);
		goto out;
	}
	c->rest = rest_of_line(line, ends[first]);
	c->tail = rest_of_line(line, n > first + 1 ? ends[first + 1] : ends[first]);
	if (n > first + 1 && !strncmp(words[n - 1], "<<", 2)) {
		snprintf(heredoc, sizeof(heredoc), "%s", words[n - 1] + 2);
		n--;
		if (!c->def->block) {
			r = perr(err, errlen, file, lineno, "%s takes no text block", c->def->name);
			goto out;
		}
		if (!is_ident(heredoc)) {
			r = perr(err, errlen, file, lineno, "a text block needs a name: <<END");
			goto out;
		}
	}
	if (!command_raw(c->def) && (r = parse_args(file, c, words, first, n, err, errlen)))
		goto out;
	if (c->def->needs_block && !heredoc[0]) {
		r = perr(err, errlen, file, lineno, "%s needs a text block: <<END", c->def->name);
		goto out;
	}
	if (heredoc[0])
		r = parse_block(file, c, heredoc, lines, nlines, consumed, err, errlen);
out:
	free(buf);
	return r;
}

/* Commands from @lines, the first of which is line @first_lineno of the file. */
static int parse_lines(const char *filename, char **lines, int nlines, int first_lineno,
		       struct script_cmd **cmds, int *n, char *err, size_t errlen)
{
	int ret = 0;

	*cmds = calloc(nlines ? nlines : 1, sizeof(**cmds));
	*n = 0;
	for (int i = 0; i < nlines; i++) {
		const char *p = lines[i];
		int consumed = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		ret = parse_line(filename, &(*cmds)[*n], lines[i], first_lineno + i, lines + i + 1,
				 nlines - i - 1, &consumed, err, errlen);
		(*n)++;
		if (ret)
			break;
		i += consumed;
	}
	return ret;
}

int script_parse(const char *text, size_t len, const char *filename, struct script *s,
		 char *err, size_t errlen)
{
	char **lines = NULL;
	int nlines = 0, cap = 0, ret = 0;
	size_t start = 0;

	memset(s, 0, sizeof(*s));
	s->filename = strdup(filename ? filename : "-");
	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] == '\0') {
			ret = perr(err, errlen, s->filename, nlines + 1,
				   "the script contains a NUL byte");
			goto out;
		}
		if (i == len || text[i] == '\n') {
			size_t l = i - start;

			if (i == len && l == 0)
				break;
			if (nlines == cap) {
				cap = cap ? 2 * cap : 64;
				lines = realloc(lines, cap * sizeof(*lines));
			}
			if (l && text[start + l - 1] == '\r')
				l--;
			lines[nlines++] = strndup(text + start, l);
			start = i + 1;
		}
	}
	ret = parse_lines(s->filename, lines, nlines, 1, &s->cmds, &s->n, err, errlen);
out:
	for (int i = 0; i < nlines; i++)
		free(lines[i]);
	free(lines);
	return ret;
}

static void free_cmds(struct script_cmd *cmds, int n)
{
	for (int i = 0; i < n; i++) {
		struct script_cmd *c = &cmds[i];

		for (int a = 0; a < c->argc; a++) {
			free(c->argv[a].key);
			free(c->argv[a].value);
		}
		free(c->argv);
		free(c->assign);
		free(c->rest);
		free(c->tail);
		free(c->block);
		free_cmds(c->sub, c->nsub);
	}
	free(cmds);
}

void script_free(struct script *s)
{
	free_cmds(s->cmds, s->n);
	free(s->filename);
	memset(s, 0, sizeof(*s));
}
