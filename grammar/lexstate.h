/* lexstate.h - state shared by the scanner and the parser. */
#ifndef MODELC_LEXSTATE_H
#define MODELC_LEXSTATE_H

#include "ast.h"

struct lex_state {
	diag_ctx *diag;
	uint32_t file;
	const char *text;   /* the whole file, for look-ahead past a doc block */
	size_t len;
	size_t pos;         /* byte offset of the next character to scan */
	int depth;          /* ( and [ nesting: newlines inside are whitespace */
	loc open[16];       /* where the innermost brackets were opened */
	char open_ch[16];
	bool unclosed_reported;
	int braces;         /* { nesting */
	loc brace_at[16];
	bool eof_reported;  /* the scanner explained the end of file already */
	loc comment_start;
	ast_file *result;
};

#endif
