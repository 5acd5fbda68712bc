/* ping.c - `modelc ping [--db URL] [--timeout SECONDS]`: connects the way
 * generated code does (mc_conn_open of the runtime), runs its health check
 * (mc_conn_ping), and says what it reached, how fast, and with which
 * parameters; a failure gets a class of its own in the exit status, so
 * scripts can tell a wrong host name from a server that is down. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <modelc/modelc.h>

#include "commands.h"
#include "util.h"

/* documented in docs/workflow.md: keep them stable */
enum {
	PING_OK = 0,
	PING_OTHER = 1,     /* any other failure, the health check included */
	PING_USAGE = 2,
	PING_DNS = 3,       /* the host name does not resolve */
	PING_REFUSED = 4,   /* nothing listens there: refused, no socket file, unreachable */
	PING_AUTH = 5,      /* the server refused the login: password, pg_hba.conf, role */
	PING_TIMEOUT = 6,   /* no answer within connect_timeout */
};

#define DEFAULT_TIMEOUT 10

static const char usage[] =
	"usage: modelc ping [--db URL] [--timeout SECONDS]\n"
	"\n"
	"Connects with the runtime's connection code, runs its health check\n"
	"(SELECT 1), and prints the server version, the latency and the\n"
	"connection parameters in use (never the password).\n"
	"\n"
	"options:\n"
	"  --db URL           libpq connection string or URL (default: PG* environment)\n"
	"  --timeout SECONDS  connect_timeout (default: the URL's, PGCONNECT_TIMEOUT, or 10;\n"
	"                     libpq waits at least 2)\n"
	"\n"
	"exit status: 0 ok, 1 other failure, 2 usage, 3 host name not found,\n"
	"4 connection refused (no server there), 5 authentication failed,\n"
	"6 timeout\n";

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void put_quoted(buf *b, const char *v)
{
	buf_putc(b, '\'');
	for (; *v; v++) {
		if (*v == '\'' || *v == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *v);
	}
	buf_putc(b, '\'');
}

/* The connection string again, as keyword=value pairs, with connect_timeout
 * set when --timeout says so or nothing else does (libpq would wait
 * forever). *timeout gets the value in effect, 0 when unknown. NULL with
 * libpq's message in *perr when the string does not parse. */
static char *with_timeout(const char *conninfo, const char *opt_timeout, int *timeout, char **perr)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo ? conninfo : "", perr);
	if (!opts)
		return NULL;
	const char *given = NULL;
	buf b;
	buf_init(&b);
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		if (strcmp(o->keyword, "connect_timeout") == 0) {
			given = o->val;
			if (opt_timeout)
				continue;
		}
		buf_printf(&b, "%s%s=", b.len ? " " : "", o->keyword);
		put_quoted(&b, o->val);
	}
	const char *env = getenv("PGCONNECT_TIMEOUT");
	const char *eff = opt_timeout ? opt_timeout : given ? given : env && *env ? env : NULL;
	if (!eff) {
		static char dflt[16];
		snprintf(dflt, sizeof dflt, "%d", DEFAULT_TIMEOUT);
		eff = dflt;
	}
	if (opt_timeout || (!given && !(env && *env)))
		buf_printf(&b, "%sconnect_timeout=%s", b.len ? " " : "", eff);
	*timeout = atoi(eff);
	PQconninfoFree(opts);
	char *r = strdup(buf_cstr(&b));
	buf_free(&b);
	return r;
}

/* The class of a failed connection, from libpq's message: libpq reports no
 * SQLSTATE for a connection that never opened. The message may hold one
 * line per address tried; the most specific cause wins. */
static int classify(PGconn *pg, const char *msg)
{
	if (pg && PQconnectionNeedsPassword(pg))
		return PING_AUTH;
	static const char *const auth[] = {
		"authentication failed", "no pg_hba.conf entry", "no password supplied", "password is required",
	};
	for (size_t i = 0; i < sizeof auth / sizeof auth[0]; i++)
		if (strstr(msg, auth[i]))
			return PING_AUTH;
	/* a login role that does not exist is refused like a wrong password */
	const char *role = strstr(msg, "role \"");
	if (role && strstr(role, "\" does not exist"))
		return PING_AUTH;
	if (strstr(msg, "timeout expired"))
		return PING_TIMEOUT;
	if (strstr(msg, "could not translate host name"))
		return PING_DNS;
	static const char *const refused[] = {
		"Connection refused", "No such file or directory", "Network is unreachable",
		"No route to host", "Host is unreachable", "Cannot assign requested address",
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		if (strstr(msg, refused[i]))
			return PING_REFUSED;
	return PING_OTHER;
}

static const char *class_text(int cls)
{
	switch (cls) {
	case PING_DNS:
		return "host name not found";
	case PING_REFUSED:
		return "connection refused: no server there";
	case PING_AUTH:
		return "authentication failed";
	case PING_TIMEOUT:
		return "timeout";
	default:
		return "cannot connect";
	}
}

static void print_params(FILE *out, PGconn *pg, int timeout)
{
	const char *host = pg ? PQhost(pg) : NULL, *port = pg ? PQport(pg) : NULL;
	const char *addr = pg ? PQhostaddr(pg) : NULL, *pass = pg ? PQpass(pg) : NULL;
	if (host && (host[0] == '/' || host[0] == '@'))
		fprintf(out, "  host        %s (unix socket %s/.s.PGSQL.%s)\n", host, host, port && *port ? port : "5432");
	else if (host && addr && *addr && strcmp(host, addr) != 0)
		fprintf(out, "  host        %s (%s)\n", host, addr);
	else
		fprintf(out, "  host        %s\n", host && *host ? host : "(default)");
	fprintf(out, "  port        %s\n", port && *port ? port : "(default)");
	fprintf(out, "  dbname      %s\n", pg && PQdb(pg) ? PQdb(pg) : "(default)");
	fprintf(out, "  user        %s\n", pg && PQuser(pg) ? PQuser(pg) : "(default)");
	/* whether there was one, never what it is */
	fprintf(out, "  password    %s\n", pass && *pass ? "given (hidden)" : "none");
	if (timeout > 0)
		fprintf(out, "  timeout     %d s (connect_timeout%s)\n", timeout, timeout < 2 ? "; libpq waits at least 2 s" : "");
}

static const char *hint_for(int cls, PGconn *pg, const char *msg)
{
	switch (cls) {
	case PING_DNS:
		return "check the host name in --db or PGHOST";
	case PING_REFUSED:
		return "is the server running, and listening on that address and port "
		       "(listen_addresses, port, unix_socket_directories)?";
	case PING_AUTH:
		return pg && PQconnectionNeedsPassword(pg)
			       ? "the server asks for a password: give one in --db, PGPASSWORD or ~/.pgpass"
			       : "check the user and password (--db, PGUSER, PGPASSWORD, ~/.pgpass) and the "
				 "server's pg_hba.conf";
	case PING_TIMEOUT:
		return "nothing answered in time: a wrong address, or a firewall dropping packets? "
		       "--timeout SECONDS changes the limit";
	default:
		if (strstr(msg, "FATAL:  database \"") && strstr(msg, "\" does not exist"))
			return "the server is there, the database is not: create it (createdb NAME) or name another one";
		return NULL;
	}
}

/* libpq's message, indented, without its last newline. */
static void print_libpq(FILE *out, const char *msg)
{
	fputs("  libpq: ", out);
	for (const char *p = msg; *p; p++) {
		if (*p == '\n') {
			if (p[1])
				fputs("\n         ", out);
			continue;
		}
		if (*p != '\t')
			fputc(*p, out);
	}
	fputc('\n', out);
}

int cmd_ping(int argc, char **argv)
{
	const char *db = NULL, *opt_timeout = NULL;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
			fputs(usage, stdout);
			return PING_OK;
		}
		const char **dst = NULL;
		size_t kl = strcspn(s, "=");
		if (kl == 4 && strncmp(s, "--db", 4) == 0)
			dst = &db;
		else if (kl == 9 && strncmp(s, "--timeout", 9) == 0)
			dst = &opt_timeout;
		if (!dst) {
			fprintf(stderr, "modelc ping: %s '%s'\n%s", s[0] == '-' ? "unknown option" : "unexpected argument",
			        s, usage);
			return PING_USAGE;
		}
		if (s[kl] == '=') {
			*dst = s + kl + 1;
		} else if (i + 1 < argc) {
			*dst = argv[++i];
		} else {
			fprintf(stderr, "modelc ping: %s needs an argument\n", s);
			return PING_USAGE;
		}
	}
	if (opt_timeout) {
		char *end;
		long t = strtol(opt_timeout, &end, 10);
		if (end == opt_timeout || *end || t < 1 || t > 86400) {
			fprintf(stderr, "modelc ping: --timeout wants whole seconds from 1 to 86400, not '%s'\n", opt_timeout);
			return PING_USAGE;
		}
	}

	int timeout = 0;
	char *perr = NULL;
	char *conninfo = with_timeout(db, opt_timeout, &timeout, &perr);
	if (!conninfo) {
		/* libpq's message names the problem, not the (secret) value */
		fprintf(stderr, "modelc ping: invalid connection string: %s", perr ? perr : "out of memory\n");
		PQfreemem(perr);
		return PING_USAGE;
	}

	mc_conn *c = NULL;
	double t0 = now_ms();
	mc_status st = mc_conn_open(&c, conninfo, NULL);
	double connect_ms = now_ms() - t0;
	free(conninfo);
	PGconn *pg = c ? mc_conn_pg(c) : NULL;
	if (st != MC_OK) {
		const char *msg = pg && PQstatus(pg) == CONNECTION_BAD ? PQerrorMessage(pg) : mc_last_error(c)->message;
		int cls = pg && PQstatus(pg) == CONNECTION_BAD ? classify(pg, msg) : PING_OTHER;
		fprintf(stderr, "modelc ping: %s (after %.1f ms)\n", class_text(cls), connect_ms);
		print_params(stderr, pg, timeout);
		print_libpq(stderr, msg);
		const char *hint = hint_for(cls, pg, msg);
		if (hint)
			fprintf(stderr, "  hint: %s\n", hint);
		mc_conn_close(c);
		return cls;
	}

	/* the health check generated code relies on, three times: the best is
	 * the network and server, the others add scheduling noise */
	double best = -1;
	for (int i = 0; i < 3; i++) {
		double t = now_ms();
		st = mc_conn_ping(c);
		t = now_ms() - t;
		if (st != MC_OK)
			break;
		if (best < 0 || t < best)
			best = t;
	}
	const char *ver = PQparameterStatus(pg, "server_version");
	const char *standby = PQparameterStatus(pg, "in_hot_standby");
	FILE *out = st == MC_OK ? stdout : stderr;
	if (st == MC_OK)
		fprintf(out, "ok: PostgreSQL %s%s\n", ver ? ver : "(version unknown)",
		        standby && strcmp(standby, "on") == 0 ? ", a hot standby (read only)" : "");
	else
		fprintf(out, "modelc ping: connected to PostgreSQL %s, but the health check failed: %s: %s\n",
		        ver ? ver : "(version unknown)", mc_status_name(st), mc_last_error(c)->message);
	print_params(out, pg, timeout);
	fprintf(out, "  ssl         %s%s\n", PQsslInUse(pg) ? "on, " : "off",
	        PQsslInUse(pg) && PQsslAttribute(pg, "protocol") ? PQsslAttribute(pg, "protocol") : "");
	fprintf(out, "  connect     %.3f ms\n", connect_ms);
	if (best >= 0)
		fprintf(out, "  round trip  %.3f ms (SELECT 1, best of 3)\n", best);
	mc_conn_close(c);
	return st == MC_OK ? PING_OK : PING_OTHER;
}
