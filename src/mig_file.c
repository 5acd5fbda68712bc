/* mig_file.c - reading and verifying the migrations folder: SHA-256, the
 * SQL statement splitter, the migration file format and modelc.sum (see
 * docs/migrations.md). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "migrate.h"
#include "output.h"

/* ---- SHA-256 (FIPS 180-4) ------------------------------------------------ */

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static void sha_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64];
	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 | (uint32_t)p[4 * t + 2] << 8 |
		       (uint32_t)p[4 * t + 3];
	for (int t = 16; t < 64; t++) {
		uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int t = 0; t < 64; t++) {
		uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[t] + w[t];
		uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

void sha256_hex(const void *data, size_t n, char out[65])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	                  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const unsigned char *p = data;
	size_t left = n;
	for (; left >= 64; left -= 64, p += 64)
		sha_block(h, p);
	/* the tail, the 0x80 bit and the 64-bit length fill one or two blocks */
	unsigned char tail[128] = { 0 };
	if (left)
		memcpy(tail, p, left);
	tail[left] = 0x80;
	size_t tn = left < 56 ? 64 : 128;
	uint64_t bits = (uint64_t)n * 8;
	for (int i = 0; i < 8; i++)
		tail[tn - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha_block(h, tail);
	if (tn == 128)
		sha_block(h, tail + 64);
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		unsigned v = (h[i / 4] >> (24 - 8 * (i % 4))) & 0xff;
		out[2 * i] = hex[v >> 4];
		out[2 * i + 1] = hex[v & 15];
	}
	out[64] = '\0';
}

static const char *sha_tag(arena *a, const void *data, size_t n)
{
	char hex[65];
	sha256_hex(data, n, hex);
	return arena_printf(a, "sha256:%s", hex);
}

/* ---- the SQL splitter ------------------------------------------------------ */

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* Characters that continue an identifier: a '$' or quote right after one
 * does not open a dollar quote or an escape string. */
static bool ident_char(char c) { return is_alpha(c) || is_digit(c) || c == '_' || c == '$' || (unsigned char)c >= 0x80; }
static bool tag_start(char c) { return is_alpha(c) || c == '_' || (unsigned char)c >= 0x80; }

typedef struct sql_scan {
	const char *s;
	size_t n, i;
	int line;
} sql_scan;

/* Skips a quoted token at sc->i ('...', E'...', "...", $tag$...$tag$ or a
 * comment) and returns true; false when there is none at sc->i. An
 * unterminated one sets *what and leaves sc->i at the end. */
static bool skip_token(sql_scan *sc, const char **what)
{
	const char *s = sc->s;
	size_t n = sc->n, i = sc->i;
	char c = s[i], prev = i ? s[i - 1] : ' ';
	*what = NULL;
	if (c == '-' && i + 1 < n && s[i + 1] == '-') {
		while (i < n && s[i] != '\n')
			i++;
		sc->i = i;    /* the newline is left to the caller */
		return true;
	}
	if (c == '/' && i + 1 < n && s[i + 1] == '*') {
		int depth = 1;
		for (i += 2; i < n && depth; i++) {
			if (s[i] == '\n')
				sc->line++;
			else if (s[i] == '/' && i + 1 < n && s[i + 1] == '*')
				depth++, i++;
			else if (s[i] == '*' && i + 1 < n && s[i + 1] == '/')
				depth--, i++;
		}
		if (depth)
			*what = "unterminated /* comment";
		sc->i = i;
		return true;
	}
	bool esc = false;
	if ((c == 'E' || c == 'e') && i + 1 < n && s[i + 1] == '\'' && !ident_char(prev)) {
		esc = true;
		c = '\'';
		i++;
	}
	if (c == '\'' || c == '"') {
		char q = c;
		for (i++;; i++) {
			if (i >= n) {
				*what = q == '"' ? "unterminated quoted identifier" : "unterminated quoted string";
				break;
			}
			if (s[i] == '\n')
				sc->line++;
			if (esc && s[i] == '\\' && i + 1 < n) {
				if (s[++i] == '\n')
					sc->line++;
			} else if (s[i] == q) {
				if (i + 1 < n && s[i + 1] == q)
					i++;
				else {
					i++;
					break;
				}
			}
		}
		sc->i = i;
		return true;
	}
	if (c == '$' && !ident_char(prev)) {
		size_t j = i + 1;
		if (j < n && tag_start(s[j]))
			while (j < n && (tag_start(s[j]) || is_digit(s[j])))
				j++;
		if (j >= n || s[j] != '$')
			return false;    /* $1, or a '$' inside something else */
		size_t tl = j + 1 - i;    /* "$tag$" */
		for (i = j + 1;; i++) {
			if (i + tl > n) {
				i = n;
				*what = "unterminated dollar-quoted string";
				break;
			}
			if (s[i] == '$' && memcmp(s + i, s + sc->i, tl) == 0) {
				i += tl;
				break;
			}
			if (s[i] == '\n')
				sc->line++;
		}
		sc->i = i;
		return true;
	}
	return false;
}

/* A "--" comment line (p, n: from the dashes, trailing blanks dropped) that
 * is a "-- +modelc WORD" marker: true and the word. */
static bool marker_word(const char *p, size_t n, const char **w, size_t *wn)
{
	size_t i = 2;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (n - i < 7 || memcmp(p + i, "+modelc", 7) != 0 || (n - i > 7 && p[i + 7] != ' ' && p[i + 7] != '\t'))
		return false;
	i += 7;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	*w = p + i;
	*wn = n - i;
	return true;
}

static bool word_is(const char *w, size_t wn, const char *s) { return wn == strlen(s) && memcmp(w, s, wn) == 0; }

static void push_step(arena *a, vec *steps, const char *text, size_t start, size_t end, int line, buf *com,
                      bool has_com, bool no_tx)
{
	while (end > start && is_space(text[end - 1]))
		end--;
	mig_step *st = arena_alloc(a, sizeof *st);
	st->sql = arena_strndup(a, text + start, end - start);
	st->line = line;
	st->no_tx = no_tx;
	if (has_com) {
		st->comment = arena_strndup(a, com->data ? com->data : "", com->len);
		st->destructive = strncmp(st->comment, "DESTRUCTIVE:", 12) == 0;
		st->risky = strncmp(st->comment, "RISKY:", 6) == 0;
	}
	vec_push(a, steps, st);
}

int mig_split_sql(arena *a, const char *path, const char *text, size_t len, int first_line, vec *steps,
                  buf *err)
{
	if (!text)
		len = 0;
	sql_scan sc = { text, len, 0, first_line };
	buf com;
	buf_init(&com);
	bool has_com = false, marker = false, in_stmt = false, line_content = false;
	int marker_line = 0, start_line = 0, rc = 0;
	int end_line = first_line - 1;    /* line of the last ';' */
	size_t start = 0;
	while (sc.i < len) {
		char c = text[sc.i];
		if (c == '\n') {
			/* a blank line separates comments from the statement after them */
			if (!in_stmt && !line_content) {
				com.len = 0;
				has_com = false;
			}
			sc.line++;
			sc.i++;
			line_content = false;
			continue;
		}
		if (is_space(c)) {
			sc.i++;
			continue;
		}
		line_content = true;
		int l = sc.line;
		size_t at = sc.i;
		const char *what = NULL;
		if (!in_stmt) {
			if (c == ';') {    /* an empty statement */
				if (marker) {
					buf_printf(err, "%s:%d: '-- +modelc no-transaction' is not followed by a statement\n", path,
					           marker_line);
					rc = -1;
					break;
				}
				com.len = 0;
				has_com = false;
				end_line = l;
				sc.i++;
				continue;
			}
			bool comment = at + 1 < len && ((c == '-' && text[at + 1] == '-') || (c == '/' && text[at + 1] == '*'));
			if (comment && skip_token(&sc, &what)) {
				if (what) {
					buf_printf(err, "%s:%d: %s\n", path, l, what);
					rc = -1;
					break;
				}
				if (c != '-' || l == end_line)
					continue;    /* a block comment, or a comment after the previous ';' */
				size_t e = sc.i;
				while (e > at && is_space(text[e - 1]))
					e--;
				const char *w;
				size_t wn;
				if (marker_word(text + at, e - at, &w, &wn)) {
					if (!word_is(w, wn, "no-transaction")) {
						buf_printf(err, "%s:%d: unknown marker '%.*s' (known here: '-- +modelc no-transaction')\n",
						           path, l, (int)(e - at), text + at);
						rc = -1;
						break;
					}
					marker = true;
					marker_line = l;
					continue;
				}
				size_t b = at + 2;
				if (b < e && text[b] == ' ')
					b++;
				if (has_com)
					buf_putc(&com, '\n');
				buf_put(&com, text + b, e - b);
				has_com = true;
				continue;
			}
			in_stmt = true;
			start = at;
			start_line = l;
		}
		if (c == ';') {
			push_step(a, steps, text, start, at, start_line, &com, has_com, marker);
			com.len = 0;
			has_com = marker = in_stmt = false;
			end_line = l;
			sc.i++;
			continue;
		}
		if (skip_token(&sc, &what)) {
			if (what) {
				buf_printf(err, "%s:%d: %s\n", path, l, what);
				rc = -1;
				break;
			}
			const char *w;
			size_t wn;
			if (text[at] == '-' && marker_word(text + at, sc.i - at, &w, &wn)) {
				buf_printf(err, "%s:%d: marker inside a statement (is the ';' of the statement on line %d missing?)\n",
				           path, l, start_line);
				rc = -1;
				break;
			}
			continue;
		}
		sc.i++;
	}
	if (rc == 0 && in_stmt) {
		buf_printf(err, "%s:%d: statement does not end with ';'\n", path, start_line);
		rc = -1;
	} else if (rc == 0 && marker) {
		buf_printf(err, "%s:%d: '-- +modelc no-transaction' is not followed by a statement\n", path, marker_line);
		rc = -1;
	}
	buf_free(&com);
	return rc;
}

/* ---- migration files ------------------------------------------------------- */

static bool slug_char(char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_'; }

/* "0002_add_posts": 4 to 9 digits, '_', a slug. */
static bool rev_ok(const char *s, size_t n)
{
	size_t d = 0;
	while (d < n && is_digit(s[d]))
		d++;
	if (d < 4 || d > 9 || d + 1 >= n || s[d] != '_')
		return false;
	for (size_t i = d + 1; i < n; i++)
		if (!slug_char(s[i]))
			return false;
	return true;
}

static bool state_ok(const char *s)
{
	if (strcmp(s, "empty") == 0)
		return true;
	if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 7 + 64)
		return false;
	for (const char *p = s + 7; *p; p++)
		if (!is_digit(*p) && !(*p >= 'a' && *p <= 'f'))
			return false;
	return true;
}

static const char *const hdr_keys[] = { "revision", "follows", "message", "from-state", "to-state" };
enum { H_REV, H_FOLLOWS, H_MESSAGE, H_FROM, H_TO, H_N };

int mig_file_parse(arena *a, const char *path, const char *text, size_t len, mig_file *out, buf *err)
{
	memset(out, 0, sizeof *out);
	if (!text) {
		text = "";
		len = 0;
	}
	out->path = arena_strdup(a, path);
	out->checksum = sha_tag(a, text, len);
	size_t err0 = err->len;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t bl = strlen(base);
	if (bl > 4 && strcmp(base + bl - 4, ".sql") == 0 && rev_ok(base, bl - 4)) {
		out->rev = arena_strndup(a, base, bl - 4);
		out->number = atoi(base);
	} else {
		buf_printf(err, "%s: the file name must be NNNN_slug.sql (4 or more digits, '_', then [a-z0-9_])\n", path);
	}
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		int l = 1;
		for (const char *p = text; p < nul; p++)
			l += *p == '\n';
		buf_printf(err, "%s:%d: the file contains a NUL byte\n", path, l);
		return -1;
	}

	const char *hdr[H_N] = { 0 };
	int hdr_line[H_N] = { 0 };
	size_t up_off = 0, up_end = 0, down_off = 0;
	int up_line = 0, down_line = 0;
	bool sql_before = false;
	int line = 1;
	for (size_t pos = 0; pos < len; line++) {
		size_t eol = pos;
		while (eol < len && text[eol] != '\n')
			eol++;
		size_t next = eol < len ? eol + 1 : len, e = eol;
		while (e > pos && is_space(text[e - 1]))
			e--;
		const char *l = text + pos;
		size_t ln = e - pos;
		const char *w = NULL;
		size_t wn = 0;
		bool is_marker = ln >= 2 && l[0] == '-' && l[1] == '-' && marker_word(l, ln, &w, &wn);
		if (is_marker && word_is(w, wn, "upgrade")) {
			if (up_line)
				buf_printf(err, "%s:%d: a second '-- +modelc upgrade' (the first is on line %d)\n", path, line,
				           up_line);
			else if (down_line)
				buf_printf(err, "%s:%d: '-- +modelc upgrade' after '-- +modelc downgrade' (the upgrade comes first)\n",
				           path, line);
			else {
				up_line = line;
				up_off = next;
			}
		} else if (is_marker && word_is(w, wn, "downgrade")) {
			if (down_line)
				buf_printf(err, "%s:%d: a second '-- +modelc downgrade' (the first is on line %d)\n", path, line,
				           down_line);
			else {
				down_line = line;
				down_off = next;
				up_end = pos;
			}
		} else if (!up_line && !down_line && ln > 0) {
			if (is_marker) {
				buf_printf(err, "%s:%d: '%.*s' before '-- +modelc upgrade'\n", path, line, (int)ln, l);
			} else if (ln >= 2 && l[0] == '-' && l[1] == '-') {
				size_t i = 2;
				while (i < ln && l[i] == ' ')
					i++;
				size_t k = i;
				while (k < ln && ((l[k] >= 'a' && l[k] <= 'z') || l[k] == '-'))
					k++;
				if (k > i && k < ln && l[k] == ':') {
					for (int h = 0; h < H_N; h++) {
						if (!word_is(l + i, k - i, hdr_keys[h]))
							continue;
						size_t v = k + 1;
						while (v < ln && (l[v] == ' ' || l[v] == '\t'))
							v++;
						if (hdr[h])
							buf_printf(err, "%s:%d: a second '%s:' header (the first is on line %d)\n", path,
							           line, hdr_keys[h], hdr_line[h]);
						else {
							hdr[h] = arena_strndup(a, l + v, ln - v);
							hdr_line[h] = line;
						}
					}
				}
			} else if (!sql_before) {
				buf_printf(err, "%s:%d: SQL before '-- +modelc upgrade'\n", path, line);
				sql_before = true;
			}
		}
		pos = next;
	}
	if (!up_line)
		buf_printf(err, "%s: no '-- +modelc upgrade' line\n", path);
	if (!down_line)
		buf_printf(err, "%s: no '-- +modelc downgrade' line\n", path);
	for (int h = 0; h < H_N; h++)
		if (!hdr[h])
			buf_printf(err, "%s: no '-- %s:' header\n", path, hdr_keys[h]);
	if (hdr[H_REV] && out->rev && strcmp(hdr[H_REV], out->rev) != 0)
		buf_printf(err, "%s:%d: revision '%s' does not match the file name (expected '%s')\n", path,
		           hdr_line[H_REV], hdr[H_REV], out->rev);
	if (hdr[H_FOLLOWS] && strcmp(hdr[H_FOLLOWS], "base") != 0 && !rev_ok(hdr[H_FOLLOWS], strlen(hdr[H_FOLLOWS])))
		buf_printf(err, "%s:%d: follows: '%s' is neither 'base' nor a revision (NNNN_slug)\n", path,
		           hdr_line[H_FOLLOWS], hdr[H_FOLLOWS]);
	for (int h = H_FROM; h <= H_TO; h++)
		if (hdr[h] && !state_ok(hdr[h]))
			buf_printf(err, "%s:%d: %s: must be 'empty' or 'sha256:' and 64 hex digits\n", path, hdr_line[h],
			           hdr_keys[h]);
	if (err->len != err0)
		return -1;
	out->follows = hdr[H_FOLLOWS];
	out->message = hdr[H_MESSAGE];
	out->from_state = hdr[H_FROM];
	out->to_state = hdr[H_TO];
	int rc = mig_split_sql(a, path, text + up_off, up_end - up_off, up_line + 1, &out->up, err);
	if (mig_split_sql(a, path, text + down_off, len - down_off, down_line + 1, &out->down, err) != 0)
		rc = -1;
	return rc;
}

/* ---- the folder and modelc.sum --------------------------------------------- */

static const char *join(arena *a, const char *dir, const char *name)
{
	size_t n = strlen(dir);
	return arena_printf(a, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

typedef struct mig_ent {
	const char *name;
	long long number;
} mig_ent;

static int ent_cmp(const void *x, const void *y)
{
	const mig_ent *a = *(mig_ent *const *)x, *b = *(mig_ent *const *)y;
	if (a->number != b->number)
		return a->number < b->number ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* The NNNN_*.sql names of dir (anything starting with a digit and ending
 * in .sql, so that a misnamed migration is reported, not ignored), in
 * number order. 0; 1 when dir does not exist; -1 on error. */
static int list_dir(arena *a, const char *dir, vec *ents, buf *err)
{
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 1;
		buf_printf(err, "%s: cannot read the directory: %s\n", dir, strerror(errno));
		return -1;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n <= 4 || !is_digit(de->d_name[0]) || strcmp(de->d_name + n - 4, ".sql") != 0)
			continue;
		mig_ent *e = arena_alloc(a, sizeof *e);
		e->name = arena_strdup(a, de->d_name);
		for (const char *p = e->name; is_digit(*p) && e->number < 100000000000LL; p++)
			e->number = e->number * 10 + (*p - '0');
		vec_push(a, ents, e);
	}
	closedir(d);
	if (ents->n > 1)
		qsort(ents->items, ents->n, sizeof *ents->items, ent_cmp);
	return 0;
}

/* Reads and parses one migration; NULL (errors in err) when it cannot. */
static mig_file *load_file(arena *a, const char *path, buf *err)
{
	buf text;
	buf_init(&text);
	int e = buf_read_file(&text, path);
	if (e) {
		buf_printf(err, "%s: cannot read: %s\n", path, strerror(e));
		buf_free(&text);
		return NULL;
	}
	mig_file *f = arena_alloc(a, sizeof *f);
	int rc = mig_file_parse(a, path, buf_cstr(&text), text.len, f, err);
	buf_free(&text);
	return rc == 0 ? f : NULL;
}

/* The checksum of a whole file as "sha256:<hex>"; NULL (error in err)
 * when it cannot be read. */
static const char *file_checksum(arena *a, const char *path, buf *err)
{
	buf text;
	buf_init(&text);
	int e = buf_read_file(&text, path);
	const char *sum = e ? NULL : sha_tag(a, buf_cstr(&text), text.len);
	if (e)
		buf_printf(err, "%s: cannot read: %s\n", path, strerror(e));
	buf_free(&text);
	return sum;
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

typedef struct sum_line {
	const char *rev, *follows, *checksum;
	int line;
	bool used;
} sum_line;

/* Parses modelc.sum into lines (state.model's with follows NULL). */
static void sum_parse(arena *a, const char *path, const char *text, size_t len, vec *lines, buf *err)
{
	int line = 1;
	for (size_t pos = 0; pos < len; line++) {
		size_t eol = pos;
		while (eol < len && text[eol] != '\n')
			eol++;
		const char *f[4];
		size_t fl[4];
		int nf = 0;
		for (size_t i = pos; i < eol;) {
			while (i < eol && is_space(text[i]))
				i++;
			if (i >= eol)
				break;
			size_t s = i;
			while (i < eol && !is_space(text[i]))
				i++;
			if (nf < 4) {
				f[nf] = text + s;
				fl[nf] = i - s;
			}
			nf++;
		}
		pos = eol < len ? eol + 1 : len;
		if (nf == 0 || f[0][0] == '#')
			continue;
		sum_line *sl = arena_alloc(a, sizeof *sl);
		sl->line = line;
		bool state = nf == 2 && word_is(f[0], fl[0], MIG_STATE_FILE);
		if (!state && (nf != 3 || !rev_ok(f[0], fl[0]) ||
		               (!word_is(f[1], fl[1], "base") && !rev_ok(f[1], fl[1])))) {
			buf_printf(err, "%s:%d: malformed line (expected 'REVISION FOLLOWS sha256:HEX' or 'state.model sha256:HEX')\n",
			           path, line);
			continue;
		}
		sl->rev = arena_strndup(a, f[0], fl[0]);
		sl->follows = state ? NULL : arena_strndup(a, f[1], fl[1]);
		sl->checksum = arena_strndup(a, f[nf - 1], fl[nf - 1]);
		if (strncmp(sl->checksum, "sha256:", 7) != 0 || !state_ok(sl->checksum)) {
			buf_printf(err, "%s:%d: malformed checksum '%s'\n", path, line, sl->checksum);
			continue;
		}
		bool dup = false;
		for (size_t i = 0; i < lines->n && !dup; i++) {
			sum_line *o = VEC_AT(*lines, i, sum_line *);
			if (strcmp(o->rev, sl->rev) == 0) {
				buf_printf(err, "%s:%d: a second line for %s (the first is line %d)\n", path, line, sl->rev, o->line);
				dup = true;
			}
		}
		if (!dup)
			vec_push(a, lines, sl);
	}
}

static sum_line *sum_find(vec *lines, const char *rev)
{
	for (size_t i = 0; i < lines->n; i++) {
		sum_line *sl = VEC_AT(*lines, i, sum_line *);
		if (strcmp(sl->rev, rev) == 0)
			return sl;
	}
	return NULL;
}

int mig_set_load(arena *a, const char *dir, mig_set *out, buf *err)
{
	memset(out, 0, sizeof *out);
	out->dir = arena_strdup(a, dir);
	size_t err0 = err->len;
	vec ents = { 0 };
	int lr = list_dir(a, dir, &ents, err);
	if (lr != 0)
		return lr > 0 ? 0 : -1;    /* a missing folder is an empty set */
	const char *sum_path = join(a, dir, MIG_SUM_FILE), *state_path = join(a, dir, MIG_STATE_FILE);
	out->has_state = is_file(state_path);

	/* every file, parsed or not (names[i] is the revision its name gives) */
	vec parsed = { 0 };
	bool all_parsed = true;
	const char **names = arena_alloc(a, (ents.n + 1) * sizeof *names);
	mig_file **pf = arena_alloc(a, (ents.n + 1) * sizeof *pf);
	for (size_t i = 0; i < ents.n; i++) {
		mig_ent *e = VEC_AT(ents, i, mig_ent *);
		names[i] = arena_strndup(a, e->name, strlen(e->name) - 4);
		pf[i] = load_file(a, join(a, dir, e->name), err);
		if (pf[i])
			vec_push(a, &parsed, pf[i]);
		else
			all_parsed = false;
	}
	out->files = parsed;

	vec lines = { 0 };
	buf sum;
	buf_init(&sum);
	int se = buf_read_file(&sum, sum_path);
	if (se == ENOENT) {
		if (ents.n || out->has_state)
			buf_printf(err, "%s: missing (run modelc migrate rehash to write it from the files)\n", sum_path);
	} else if (se) {
		buf_printf(err, "%s: cannot read: %s\n", sum_path, strerror(se));
	} else {
		sum_parse(a, sum_path, buf_cstr(&sum), sum.len, &lines, err);
	}
	buf_free(&sum);
	bool have_sum = se == 0;

	for (size_t i = 0; have_sum && i < ents.n; i++) {
		const char *path = join(a, dir, VEC_AT(ents, i, mig_ent *)->name);
		sum_line *sl = sum_find(&lines, names[i]);
		if (!sl || !sl->follows) {
			buf_printf(err, "%s: has no line in %s (to accept a migration that was not written by modelc "
			                "migrate new, run modelc migrate rehash)\n", path, sum_path);
			continue;
		}
		sl->used = true;
		mig_file *f = pf[i];
		if (!f)
			continue;
		if (strcmp(sl->checksum, f->checksum) != 0)
			buf_printf(err, "%s: edited after it was generated (its checksum differs from %s); to accept the "
			                "edit, run modelc migrate rehash\n", path, sum_path);
		if (strcmp(sl->follows, f->follows) != 0)
			buf_printf(err, "%s: follows %s, but %s says it follows %s\n", path, f->follows, sum_path, sl->follows);
	}

	/* state.model */
	sum_line *ss = have_sum ? sum_find(&lines, MIG_STATE_FILE) : NULL;
	if (ss && ss->follows)
		ss = NULL;
	if (out->has_state && have_sum) {
		const char *sum_now = file_checksum(a, state_path, err);
		if (!ss)
			buf_printf(err, "%s: has no line in %s; run modelc migrate rehash to accept it\n", state_path, sum_path);
		else if (sum_now && strcmp(sum_now, ss->checksum) != 0)
			buf_printf(err, "%s: edited after it was generated (its checksum differs from %s); to accept the "
			                "edit, run modelc migrate rehash\n", state_path, sum_path);
	} else if (ss) {
		buf_printf(err, "%s:%d: a line for %s, but there is no such file\n", sum_path, ss->line, MIG_STATE_FILE);
	}
	if (ss)
		ss->used = true;
	for (size_t i = 0; i < lines.n; i++) {
		sum_line *sl = VEC_AT(lines, i, sum_line *);
		if (!sl->used)
			buf_printf(err, "%s:%d: a line for %s, but there is no file %s.sql\n", sum_path, sl->line, sl->rev,
			           sl->rev);
	}

	/* forks: two migrations following the same revision */
	bool fork = false;
	for (size_t i = 0; i < parsed.n; i++) {
		mig_file *f = VEC_AT(parsed, i, mig_file *);
		bool first = true;
		for (size_t j = 0; j < i && first; j++)
			first = strcmp(VEC_AT(parsed, j, mig_file *)->follows, f->follows) != 0;
		if (!first)
			continue;
		buf also;
		buf_init(&also);
		int n = 1;
		for (size_t j = i + 1; j < parsed.n; j++) {
			mig_file *g = VEC_AT(parsed, j, mig_file *);
			if (strcmp(g->follows, f->follows) == 0) {
				buf_printf(&also, " and %s", g->path);
				n++;
			}
		}
		if (n > 1) {
			buf_printf(err, "%s%s follow the same revision %s: two branches each added the next migration; "
			                "regenerate one of them on top of the other\n", f->path, buf_cstr(&also), f->follows);
			fork = true;
		}
		buf_free(&also);
	}
	/* one chain, in number order */
	for (size_t i = 0; all_parsed && !fork && i < parsed.n; i++) {
		mig_file *f = VEC_AT(parsed, i, mig_file *), *p = i ? VEC_AT(parsed, i - 1, mig_file *) : NULL;
		if (p && p->number == f->number)
			buf_printf(err, "%s: has the number of %s\n", f->path, p->path);
		else if (strcmp(f->follows, p ? p->rev : "base") != 0)
			buf_printf(err, "%s: follows %s, but the migration before it is %s (the migrations form one "
			                "chain, in number order)\n", f->path, f->follows, p ? p->rev : "base");
	}
	return err->len == err0 ? 0 : -1;
}

int mig_sum_write(arena *a, const char *dir, buf *err)
{
	size_t err0 = err->len;
	vec ents = { 0 };
	int lr = list_dir(a, dir, &ents, err);
	if (lr > 0)
		buf_printf(err, "%s: no such directory\n", dir);
	if (lr != 0)
		return -1;
	buf out;
	buf_init(&out);
	buf_puts(&out, "# modelc.sum - checksums of the migrations in this folder; written by modelc migrate new\n");
	for (size_t i = 0; i < ents.n; i++) {
		mig_file *f = load_file(a, join(a, dir, VEC_AT(ents, i, mig_ent *)->name), err);
		if (f)
			buf_printf(&out, "%s %s %s\n", f->rev, f->follows, f->checksum);
	}
	const char *state_path = join(a, dir, MIG_STATE_FILE);
	if (is_file(state_path)) {
		const char *s = file_checksum(a, state_path, err);
		if (s)
			buf_printf(&out, "%s %s\n", MIG_STATE_FILE, s);
	}
	int rc = -1;
	if (err->len == err0) {
		char msg[512];
		if (output_write(join(a, dir, MIG_SUM_FILE), out.data, out.len, msg, sizeof msg) < 0)
			buf_printf(err, "%s\n", msg);
		else
			rc = 0;
	}
	buf_free(&out);
	return rc;
}
