-- credsync 0.1.0 -> 0.2.0: what brings a database installed with 0.1.0's sql/credsync.sql to
-- today's. Run by ALTER EXTENSION credsync UPDATE (native: installed beside the full script by
-- sql/native/Makefile; pg_tle: through pgtle.install_update_path, followed by
-- sql/pgtle/adapter.sql, which re-creates the adapter whole). docs/upgrading.md is the convention.
--
-- Runs inside ALTER EXTENSION: no transaction control, no psql meta-commands. What it creates
-- becomes a member of the extension. UpgradeIT fails when the schema it leaves differs from a
-- fresh install of sql/credsync.sql (functions, tables, constraints, indexes, views, grants,
-- comments), so a change to credsync.sql needs its delta here.
--
-- Order: table, type and view changes first, then every function created or changed since 0.1.0
-- (CREATE OR REPLACE, or DROP and CREATE where the signature or result type changed), then the
-- grants, ending with the revokes that keep new functions from PUBLIC (a new function is
-- executable by PUBLIC until revoked).

-- ---------------------------------------------------------------------------------------
-- Grants: every update ends so, as sql/credsync.sql does
-- ---------------------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA credsync FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA credsync FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA credsync FROM PUBLIC;
