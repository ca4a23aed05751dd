/*
 * parse.c - reading a scenario script into commands.
 *
 * Line by line: strip the comment (a # outside quotes), split into words
 * (double quotes group, backslash escapes inside quotes), recognise an
 * assignment "NAME = ...", look the command up, check its arguments
 * against the command's definition, and collect a <<WORD block.  Every
 * error names the file and line.  The parser allocates; script_free()
 * releases everything, also after an error.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tools/kmm/script.h"

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

static bool key_allowed(const struct command_def *def, const char *key)
{
	if (!def->keys)
		return false;
	for (const char *const *k = def->keys; *k; k++)
		if (!strcmp(*k, key))
			return true;
	return false;
}

static int parse_line(struct script *s, struct script_cmd *c, char *line, int lineno,
		      const char *const *lines, int nlines, int *consumed, char *err, size_t errlen)
{
	char *buf = malloc(strlen(line) + 1);
	char *words[MAX_WORDS];
	size_t ends[MAX_WORDS];
	char heredoc[64] = "";
	const char *msg = NULL;
	int n, first = 0, npos = 0, r = 0;

	if (!buf)
		return perr(err, errlen, s->filename, lineno, "out of memory");
	c->line = lineno;
	n = split_words(line, buf, words, ends, &msg);
	if (n < 0) {
		r = perr(err, errlen, s->filename, lineno, "%s", msg);
		goto out;
	}
	if (n >= 2 && !strcmp(words[1], "=")) {
		if (!is_ident(words[0])) {
			r = perr(err, errlen, s->filename, lineno,
				 "'%s' is not a variable name (letters, digits, _)", words[0]);
			goto out;
		}
		if (n == 2) {
			r = perr(err, errlen, s->filename, lineno, "nothing to assign to '%s'", words[0]);
			goto out;
		}
		c->assign = strdup(words[0]);
		first = 2;
	}
	c->def = command_find(words[first]);
	if (!c->def) {
		r = perr(err, errlen, s->filename, lineno, "unknown command '%s'", words[first]);
		goto out;
	}
	if (c->assign && !c->def->assigns) {
		r = perr(err, errlen, s->filename, lineno, "%s gives no value to assign",
			 c->def->name);
		goto out;
	}
	c->rest = rest_of_line(line, ends[first]);
	c->tail = rest_of_line(line, n > first + 1 ? ends[first + 1] : ends[first]);
	if (n > first + 1 && !strncmp(words[n - 1], "<<", 2)) {
		snprintf(heredoc, sizeof(heredoc), "%s", words[n - 1] + 2);
		n--;
		if (!c->def->block) {
			r = perr(err, errlen, s->filename, lineno, "%s takes no text block",
				 c->def->name);
			goto out;
		}
		if (!is_ident(heredoc)) {
			r = perr(err, errlen, s->filename, lineno, "a text block needs a name: <<END");
			goto out;
		}
	}
	if (!c->def->raw) {
		c->argv = calloc(n - first, sizeof(*c->argv));
		for (int i = first + 1; i < n; i++) {
			char *eq = strchr(words[i], '=');
			struct script_arg *a = &c->argv[c->argc++];

			if (eq && eq != words[i] && words[i][0] != '$' && words[i][0] != '/' &&
			    c->def->keys) {
				a->key = strndup(words[i], eq - words[i]);
				a->value = strdup(eq + 1);
				if (!key_allowed(c->def, a->key)) {
					r = perr(err, errlen, s->filename, lineno,
						 "%s: unknown argument '%s' (usage: %s)", c->def->name,
						 a->key, c->def->usage);
					goto out;
				}
			} else {
				a->value = strdup(words[i]);
				npos++;
			}
		}
		if (npos < c->def->min_pos || npos > c->def->max_pos) {
			r = perr(err, errlen, s->filename, lineno, "%s: %s (usage: %s)", c->def->name,
				 npos < c->def->min_pos ? "missing argument" : "too many arguments",
				 c->def->usage);
			goto out;
		}
	}
	if (c->def->needs_block && !heredoc[0]) {
		r = perr(err, errlen, s->filename, lineno, "%s needs a text block: <<END",
			 c->def->name);
		goto out;
	}
	if (heredoc[0]) {
		size_t cap = 256, len = 0, hl = strlen(heredoc);
		char *text = malloc(cap);
		int i;

		text[0] = '\0';
		for (i = 0; i < nlines; i++) {
			const char *l = lines[i], *t = l;
			size_t ln = strlen(l);

			while (*t == ' ' || *t == '\t')
				t++;
			if (!strncmp(t, heredoc, hl) && strspn(t + hl, " \t") == strlen(t + hl))
				break;
			while (len + ln + 2 > cap)
				text = realloc(text, cap *= 2);
			memcpy(text + len, l, ln);
			len += ln;
			text[len++] = '\n';
			text[len] = '\0';
		}
		if (i == nlines) {
			free(text);
			r = perr(err, errlen, s->filename, lineno,
				 "text block <<%s is not closed by a line '%s'", heredoc, heredoc);
			goto out;
		}
		c->block = text;
		*consumed = i + 1;
	}
out:
	free(buf);
	return r;
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
	s->cmds = calloc(nlines ? nlines : 1, sizeof(*s->cmds));
	for (int i = 0; i < nlines; i++) {
		const char *p = lines[i];
		int consumed = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		ret = parse_line(s, &s->cmds[s->n], lines[i], i + 1, (const char *const *)lines + i + 1,
				 nlines - i - 1, &consumed, err, errlen);
		s->n++;
		if (ret)
			break;
		i += consumed;
	}
out:
	for (int i = 0; i < nlines; i++)
		free(lines[i]);
	free(lines);
	return ret;
}

void script_free(struct script *s)
{
	for (int i = 0; i < s->n; i++) {
		struct script_cmd *c = &s->cmds[i];

		for (int a = 0; a < c->argc; a++) {
			free(c->argv[a].key);
			free(c->argv[a].value);
		}
		free(c->argv);
		free(c->assign);
		free(c->rest);
		free(c->tail);
		free(c->block);
	}
	free(s->cmds);
	free(s->filename);
	memset(s, 0, sizeof(*s));
}
