/* names.c - quoting and spelling of identifiers in SQL and C. */
#include <string.h>

#include "model.h"

/* PostgreSQL 15 reserved and type/function-name keywords: these must be
 * quoted to be used as table or column names. */
static const char *const pg_reserved[] = {
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
	"authorization", "binary", "both", "case", "cast", "check", "collate", "collation",
	"column", "concurrently", "constraint", "create", "cross", "current_catalog",
	"current_date", "current_role", "current_schema", "current_time", "current_timestamp",
	"current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end",
	"except", "false", "fetch", "for", "foreign", "freeze", "from", "full", "grant",
	"group", "having", "ilike", "in", "initially", "inner", "intersect", "into", "is",
	"isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime",
	"localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only", "or",
	"order", "outer", "overlaps", "placing", "primary", "references", "returning",
	"right", "select", "session_user", "similar", "some", "symmetric", "table",
	"tablesample", "then", "to", "trailing", "true", "union", "unique", "user", "using",
	"variadic", "verbose", "when", "where", "window", "with",
};

bool sql_is_reserved(const char *word)
{
	for (size_t i = 0; i < sizeof pg_reserved / sizeof pg_reserved[0]; i++)
		if (str_ieq(word, pg_reserved[i]))
			return true;
	return false;
}

const char *sql_ident(arena *a, const char *name)
{
	bool plain = (name[0] >= 'a' && name[0] <= 'z') || name[0] == '_';
	for (const char *p = name; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '$';
	if (plain && !sql_is_reserved(name))
		return name;
	buf b;
	buf_init(&b);
	buf_putc(&b, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			buf_putc(&b, '"');
		buf_putc(&b, *p);
	}
	buf_putc(&b, '"');
	const char *r = arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return r;
}

/* C11 and C++ keywords plus names the generated code reserves. */
static const char *const c_reserved[] = {
	"alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool",
	"break", "case", "catch", "char", "char16_t", "char32_t", "char8_t", "class",
	"compl", "concept", "const", "const_cast", "consteval", "constexpr", "constinit",
	"continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
	"do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern",
	"false", "float", "for", "friend", "goto", "if", "inline", "int", "long", "mutable",
	"namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or",
	"or_eq", "private", "protected", "public", "register", "reinterpret_cast",
	"requires", "restrict", "return", "short", "signed", "sizeof", "static",
	"static_assert", "static_cast", "struct", "switch", "template", "this",
	"thread_local", "throw", "true", "try", "typedef", "typeid", "typename", "union",
	"unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor",
	"xor_eq", "errno", "NULL",
};

/* Letters, digits and _ only; a name that does not start with a letter or
 * _ gets an x in front (not _, which with a capital is reserved). */
static char *c_sanitize(arena *a, const char *name, size_t *len)
{
	size_t n = strlen(name);
	char *s = arena_alloc(a, n + 3);
	size_t j = 0;
	if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') || name[0] == '_'))
		s[j++] = 'x';
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
		s[j++] = ok ? c : '_';
	}
	s[j] = '\0';
	*len = j;
	return s;
}

const char *c_word(arena *a, const char *name)
{
	size_t j;
	const char *s = c_sanitize(a, name, &j);
	if (s[0] == '_' && (s[1] == '_' || (s[1] >= 'A' && s[1] <= 'Z')))
		return arena_printf(a, "x%s", s);
	return s;
}

const char *c_ident(arena *a, const char *name)
{
	size_t j;
	char *s = c_sanitize(a, name, &j);
	for (size_t i = 0; i < sizeof c_reserved / sizeof c_reserved[0]; i++)
		if (strcmp(s, c_reserved[i]) == 0) {
			s[j++] = '_';
			s[j] = '\0';
			break;
		}
	/* identifiers starting with _ and a capital (or __) are the implementation's */
	if (s[0] == '_' && (s[1] == '_' || (s[1] >= 'A' && s[1] <= 'Z')))
		return arena_printf(a, "x%s", s);
	return s;
}

const char *str_upper(arena *a, const char *s)
{
	char *r = arena_strdup(a, s);
	for (char *p = r; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return r;
}

const char *fk_action_sql(ast_fk_action act)
{
	switch (act) {
	case FK_NO_ACTION: return "NO ACTION";
	case FK_RESTRICT: return "RESTRICT";
	case FK_CASCADE: return "CASCADE";
	case FK_SET_NULL: return "SET NULL";
	case FK_SET_DEFAULT: return "SET DEFAULT";
	case FK_NONE: break;
	}
	return NULL;
}
