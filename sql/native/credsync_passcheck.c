/*
 * credsync_passcheck: records password changes for credsync on self-managed PostgreSQL.
 *
 * A check_password_hook that passes every CREATE/ALTER ROLE ... PASSWORD to
 * credsync.capture() in the current database and transaction, so the role change and
 * its encrypted outbox row commit or roll back together; capture() refuses a change by
 * raising an error. In a database without credsync (one made from template0, or before
 * install), a managed role's change is refused and any other role's passes: which roles are
 * managed is read from the cluster-wide copy of the patterns that credsync.manage() keeps in
 * pg_db_role_setting (ALTER ROLE ALL SET credsync_passcheck.managed_roles), a shared catalog
 * that every database can read and that changes in the same transaction as the patterns.
 *
 * It also keeps the password out of the server log: no error, warning or notice of a
 * statement that reached the hook is logged with that statement's text or the context of a
 * password statement nested in it (see credsync_emit_log).
 *
 * Load:  shared_preload_libraries = 'credsync_passcheck' (restart), then `credsync install`,
 *        which runs CREATE EXTENSION credsync CASCADE in every database and in template1.
 * GUCs (superuser only): credsync_passcheck.require, credsync_passcheck.enabled,
 *        credsync_passcheck.managed_roles (written by credsync, read from the catalog).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_db_role_setting.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "commands/user.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "libpq/crypt.h"
#include "miscadmin.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/rel.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static bool require_extension = true;
static bool enabled = true;
static char *managed_roles_setting = NULL;
static check_password_hook_type prev_check_password_hook = NULL;
static emit_log_hook_type prev_emit_log_hook = NULL;
static ProcessUtility_hook_type prev_process_utility = NULL;

/*
 * What the server log must not show, because it holds a password that reached the hook.
 *
 * A password statement can fail after its text went to the hook, for reasons the hook cannot
 * catch: a query cancel, a termination (FATAL, e.g. a fast shutdown) or an out-of-memory
 * error while capture runs, or "tuple concurrently updated" when a concurrent ALTER ROLE of
 * the same role commits first. PostgreSQL then logs the statement's text with the error
 * (log_min_error_statement, ERROR by default), and, for a password statement run from a
 * function (credsync.rotate, a DO block), the CONTEXT line quoting it.
 *
 * - password_statement_running: from the hook until the utility statement that called it
 *   returns, or its (sub)transaction ends; while it is set, every message hides its context
 *   and statement. An error escapes the statement, so it stays set until the error is logged:
 *   the (sub)transaction is aborted only after that.
 * - password_query_length and password_query_hash identify the client's query string
 *   (debug_query_string) that carried the password: the STATEMENT line of any later message
 *   while that same text runs (a multi-statement string, or the same text sent again) is
 *   hidden too, since it holds the password. A hash, never the text, is kept.
 */
static bool password_statement_running = false;
static bool password_query_known = false;
static size_t password_query_length = 0;
static uint32 password_query_hash = 0;

/* pg_tle's names, so that one credsync.capture() serves both installs. */
static const char *
password_type_name(PasswordType type)
{
	switch (type)
	{
		case PASSWORD_TYPE_PLAINTEXT:
			return "PASSWORD_TYPE_PLAINTEXT";
		case PASSWORD_TYPE_MD5:
			return "PASSWORD_TYPE_MD5";
		case PASSWORD_TYPE_SCRAM_SHA_256:
			return "PASSWORD_TYPE_SCRAM_SHA_256";
	}
	elog(ERROR, "unrecognized password type: %d", (int) type);
	return NULL;				/* keep compiler quiet */
}

static Oid
extension_owner(Oid extoid)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	Oid			owner;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(extoid));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "could not find extension credsync (oid %u)", extoid);
	owner = ((Form_pg_extension) GETSTRUCT(tuple))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return owner;
}

/*
 * Calls capture() the way PostgreSQL calls a SECURITY DEFINER function with a pinned
 * search_path: PUBLIC then needs no EXECUTE on it, and the caller's search_path cannot
 * redirect the call to a function of their own.
 */
static void
call_capture(Oid owner, const char *username, const char *password,
			 PasswordType type, Datum validuntil_time, bool validuntil_null)
{
	Oid			argtypes[5] = {TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, BOOLOID};
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	text	   *pw = cstring_to_text(password);
	MemoryContext caller_cxt = CurrentMemoryContext;
	Oid			save_userid;
	int			save_sec_context;
	int			save_nestlevel;

	values[0] = CStringGetTextDatum(username);
	values[1] = PointerGetDatum(pw);
	values[2] = CStringGetTextDatum(password_type_name(type));
	values[3] = validuntil_null ? (Datum) 0 : validuntil_time;
	nulls[3] = validuntil_null ? 'n' : ' ';
	values[4] = BoolGetDatum(validuntil_null);

	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner, save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	save_nestlevel = NewGUCNestLevel();

	PG_TRY();
	{
		int			ret;

		(void) set_config_option("search_path", "pg_catalog, pg_temp",
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		ret = SPI_execute_with_args("SELECT credsync.capture($1, $2, $3, $4, $5)",
									5, argtypes, values, nulls, false, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "credsync.capture failed: %s", SPI_result_code_string(ret));
		SPI_finish();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		/*
		 * Re-raise rather than rethrow: the original error would carry the statement,
		 * which holds the password, into the server log (log_min_error_statement), and
		 * its context. The aborting transaction cleans up SPI.
		 */
		MemoryContextSwitchTo(caller_cxt);
		edata = CopyErrorData();
		FlushErrorState();
		AtEOXact_GUC(false, save_nestlevel);
		SetUserIdAndSecContext(save_userid, save_sec_context);
		explicit_bzero(VARDATA(pw), VARSIZE(pw) - VARHDRSZ);

		ereport(ERROR,
				(errcode(edata->sqlerrcode),
				 errmsg_internal("%s", edata->message ? edata->message
								 : "credsync.capture failed"),
				 edata->detail ? errdetail_internal("%s", edata->detail) : 0,
				 edata->hint ? errhint("%s", edata->hint) : 0,
				 errhidestmt(true),
				 errhidecontext(true)));
	}
	PG_END_TRY();

	AtEOXact_GUC(true, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	explicit_bzero(VARDATA(pw), VARSIZE(pw) - VARHDRSZ);
}

#define MANAGED_ROLES_GUC "credsync_passcheck.managed_roles"

/*
 * The cluster-wide patterns, a text[] literal, as ALTER ROLE ALL SET stored them; NULL when
 * none were ever set. Read from the catalog rather than from this session's copy of the
 * setting, which is only applied at login and would miss a pattern added since.
 */
static char *
cluster_managed_patterns(void)
{
	Relation	rel;
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tuple;
	char	   *found = NULL;

	rel = table_open(DbRoleSettingRelationId, AccessShareLock);
	ScanKeyInit(&keys[0], Anum_pg_db_role_setting_setdatabase, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(InvalidOid));
	ScanKeyInit(&keys[1], Anum_pg_db_role_setting_setrole, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(InvalidOid));
	scan = systable_beginscan(rel, DbRoleSettingDatidRolidIndexId, true, NULL, 2, keys);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
	{
		bool		isnull;
		Datum		config = heap_getattr(tuple, Anum_pg_db_role_setting_setconfig,
										  RelationGetDescr(rel), &isnull);

		if (!isnull)
		{
			Datum	   *items;
			bool	   *nulls;
			int			count;
			size_t		prefix_len = strlen(MANAGED_ROLES_GUC "=");

			deconstruct_array(DatumGetArrayTypeP(config), TEXTOID, -1, false, TYPALIGN_INT,
							  &items, &nulls, &count);
			for (int i = 0; i < count && found == NULL; i++)
			{
				char	   *item;

				if (nulls[i])
					continue;
				item = TextDatumGetCString(items[i]);
				if (strncmp(item, MANAGED_ROLES_GUC "=", prefix_len) == 0)
					found = pstrdup(item + prefix_len);
			}
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/* Whether username matches one of the cluster-wide patterns, with LIKE as capture() does. */
static bool
managed_clusterwide(const char *username)
{
	char	   *patterns = cluster_managed_patterns();
	ArrayType  *array;
	Datum	   *items;
	bool	   *nulls;
	int			count;
	Datum		name;

	if (patterns == NULL)
		return false;
	array = DatumGetArrayTypeP(OidInputFunctionCall(F_ARRAY_IN, patterns, TEXTOID, -1));
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &items, &nulls, &count);
	name = CStringGetTextDatum(username);
	for (int i = 0; i < count; i++)
	{
		if (!nulls[i] &&
			DatumGetBool(DirectFunctionCall2Coll(textlike, DEFAULT_COLLATION_OID, name, items[i])))
			return true;
	}
	return false;
}

static void
credsync_check_password(const char *username, const char *shadow_pass,
						PasswordType password_type, Datum validuntil_time,
						bool validuntil_null)
{
	Oid			extoid;

	/* First of all: the previous hook's errors, too, come from a statement holding a password. */
	password_statement_running = true;
	if (debug_query_string != NULL)
	{
		password_query_length = strlen(debug_query_string);
		password_query_hash = hash_bytes((const unsigned char *) debug_query_string,
										 (int) password_query_length);
		password_query_known = true;
	}

	if (prev_check_password_hook)
	{
		prev_check_password_hook(username, shadow_pass, password_type,
								 validuntil_time, validuntil_null);
		/* Again: a statement the previous hook ran would have ended it. */
		password_statement_running = true;
	}

	/* pg_upgrade restores hashes that were captured when they were first set. */
	if (IsBinaryUpgrade || !enabled)
		return;

	extoid = get_extension_oid("credsync", true);
	if (!OidIsValid(extoid))
	{
		if (!require_extension || !managed_clusterwide(username))
			return;
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("credsync is not installed in database \"%s\"",
						get_database_name(MyDatabaseId)),
				 errdetail("Role \"%s\" is managed by credsync; its password change is refused because it could not be recorded.",
						   username),
				 errhint("Run `credsync install` (or CREATE EXTENSION credsync CASCADE in this database), "
						 "or change the password from a database where credsync is installed."),
				 errhidestmt(true),
				 errhidecontext(true)));
	}

	call_capture(extension_owner(extoid), username, shadow_pass, password_type,
				 validuntil_time, validuntil_null);
}

static bool
is_password_query(const char *query)
{
	size_t		length;

	if (query == NULL || !password_query_known)
		return false;
	length = strlen(query);
	return length == password_query_length
		&& hash_bytes((const unsigned char *) query, (int) length) == password_query_hash;
}

static void
credsync_emit_log(ErrorData *edata)
{
	if (password_statement_running)
	{
		edata->hide_stmt = true;
		edata->hide_ctx = true;
	}
	else if (!edata->hide_stmt && is_password_query(debug_query_string))
		edata->hide_stmt = true;

	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

/*
 * Ends password_statement_running when the statement returns normally. Not on an error: the
 * error is logged after it has left here, and the transaction callbacks end it then.
 */
static void
credsync_process_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
						 ProcessUtilityContext context, ParamListInfo params,
						 QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	if (prev_process_utility)
		prev_process_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	password_statement_running = false;
}

static void
credsync_xact_callback(XactEvent event, void *arg)
{
	password_statement_running = false;
}

static void
credsync_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						  SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		password_statement_running = false;
}

void
_PG_init(void)
{
	/*
	 * Refuse LOAD and session_preload_libraries: a hook in some sessions only would let
	 * changes made elsewhere pass unrecorded while looking installed. An error, not a
	 * warning, because that false assurance is exactly what "require" exists to prevent.
	 */
	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("credsync_passcheck must be loaded via shared_preload_libraries")));

	/* PGC_SUSET: otherwise any user could switch the guard off for their own session. */
	DefineCustomBoolVariable("credsync_passcheck.require",
							 "Refuses managed roles' password changes in a database where credsync is not installed.",
							 NULL, &require_extension, true, PGC_SUSET, 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("credsync_passcheck.enabled",
							 "Passes password changes to credsync.capture; off records and refuses nothing.",
							 NULL, &enabled, true, PGC_SUSET, 0,
							 NULL, NULL, NULL);
	/*
	 * Written by credsync.manage()/unmanage() with ALTER ROLE ALL SET, so that it is
	 * cluster-wide and transactional; the hook reads it from pg_db_role_setting, never from
	 * here. Defined so that the prefix can stay reserved and SHOW displays it.
	 */
	DefineCustomStringVariable(MANAGED_ROLES_GUC,
							   "The managed role patterns, a text[]: credsync's cluster-wide copy of credsync.managed_role.",
							   NULL, &managed_roles_setting, NULL, PGC_SUSET,
							   GUC_DISALLOW_IN_FILE | GUC_NOT_IN_SAMPLE,
							   NULL, NULL, NULL);
	MarkGUCPrefixReserved("credsync_passcheck");

	prev_check_password_hook = check_password_hook;
	check_password_hook = credsync_check_password;
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = credsync_emit_log;
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = credsync_process_utility;
	RegisterXactCallback(credsync_xact_callback, NULL);
	RegisterSubXactCallback(credsync_subxact_callback, NULL);
}
