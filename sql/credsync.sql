-- credsync: the database side, the single source of truth for the schema.
--
-- Installed two ways from this one file: as an ordinary extension on self-managed
-- PostgreSQL (sql/native, with the credsync_passcheck module calling capture), and through
-- pgtle.install_extension on RDS and Aurora (sql/pgtle adds the adapter pg_tle calls).
-- It runs inside CREATE EXTENSION, so no transaction control and no psql meta-commands.
--
-- What it guarantees (see docs/design.md):
--   * a managed role's new password becomes one outbox row, in the same transaction as
--     the ALTER ROLE, holding only a JWE encrypted to a KMS public key;
--   * whenever that cannot be done safely, the ALTER ROLE fails (fail closed), with a
--     message that says what to do and never contains the password;
--   * nothing here is readable, writable or callable by PUBLIC.
--
-- Every function runs with search_path pinned to pg_catalog, pg_temp and names credsync's
-- own objects in full, so nothing a user plants on their search_path changes what runs.
-- (PostgreSQL never looks up functions or operators in pg_temp through the search path.)

CREATE SCHEMA credsync;
REVOKE ALL ON SCHEMA credsync FROM PUBLIC;
COMMENT ON SCHEMA credsync IS 'credsync: password-change outbox for AWS Secrets Manager';

-- pgcrypto may live in any schema. Its functions are reached only through these wrappers,
-- which name that schema in full; PostgreSQL 15 has no @extschema:pgcrypto@ for this.
--
-- Every function on capture's path is PL/pgSQL, even a one-line one: a SQL function with a SET
-- clause is never inlined, and its body is parsed and planned again in each transaction that
-- calls it (each ALTER ROLE is one), while PL/pgSQL keeps its plans for the session. Measured
-- as the backend's CPU time, a capture took 2.3 ms with SQL helpers and 1.9 ms without.
DO $install$
DECLARE
    crypto_schema text := (SELECT n.nspname
                             FROM pg_catalog.pg_extension e
                             JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
                            WHERE e.extname = 'pgcrypto');
BEGIN
    IF crypto_schema IS NULL THEN
        RAISE EXCEPTION 'credsync needs the pgcrypto extension'
            USING HINT = 'Run CREATE EXTENSION credsync CASCADE, or CREATE EXTENSION pgcrypto first.';
    END IF;
    EXECUTE pg_catalog.format(
        'CREATE FUNCTION credsync.random_bytes(n integer) RETURNS bytea
           LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp
           AS %L', pg_catalog.format('BEGIN RETURN %I.gen_random_bytes(n); END', crypto_schema));
    EXECUTE pg_catalog.format(
        'CREATE FUNCTION credsync.aes256_cbc_encrypt(data bytea, key bytea, iv bytea) RETURNS bytea
           LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp
           AS %L', pg_catalog.format('BEGIN RETURN %I.encrypt_iv(data, key, iv, %L::text); END',
                                     crypto_schema, 'aes-cbc/pad:pkcs'));
    EXECUTE pg_catalog.format(
        'CREATE FUNCTION credsync.hmac_sha512(data bytea, key bytea) RETURNS bytea
           LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp
           AS %L', pg_catalog.format('BEGIN RETURN %I.hmac(data, key, %L::text); END', crypto_schema, 'sha512'));
END
$install$;

-- ---------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------

CREATE TABLE credsync.encryption_key (
    kid            text PRIMARY KEY CHECK (kid <> '' AND pg_catalog.length(kid) <= 2048),
    public_key     text NOT NULL,
    -- The modulus and exponent are kept as numeric so that capture does one modular
    -- exponentiation and no DER parsing per password change.
    modulus        numeric NOT NULL,
    exponent       numeric NOT NULL,
    modulus_bytes  integer NOT NULL CHECK (modulus_bytes IN (256, 384, 512)),
    -- Barrett reduction constants (see credsync.rsa_encrypt): dividing by a power of ten is
    -- a cheap multiplication in numeric, dividing by the modulus is not.
    barrett_mu     numeric NOT NULL,
    barrett_low    numeric NOT NULL,
    barrett_high   numeric NOT NULL,
    active         boolean NOT NULL DEFAULT false,
    added_at       timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE UNIQUE INDEX encryption_key_one_active ON credsync.encryption_key (active) WHERE active;
COMMENT ON TABLE credsync.encryption_key IS
    'RSA public keys of KMS keys; new events are encrypted to the active one, old ones stay for the record';

CREATE TABLE credsync.managed_role (
    pattern   text PRIMARY KEY CHECK (pattern <> ''),
    added_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE credsync.managed_role IS
    'LIKE patterns of role names whose passwords credsync syncs; by name because the hook runs before CREATE ROLE creates the role';

CREATE TABLE credsync.outbox (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- A replay copies the envelope, whose payload names the original event: the copy
    -- keeps that event_id, so the consumer's payload check and Secrets Manager's
    -- idempotency token both still hold.
    event_id    uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    role_name   text NOT NULL,
    kid         text NOT NULL REFERENCES credsync.encryption_key (kid),
    -- The consumer's own limit (io.credsync.crypto.Envelope.MAX_LENGTH): capture writes about
    -- 1 KB; a larger row could only be forged, and one too large for the consumer's heap
    -- would stop it at every start.
    envelope    text NOT NULL
                CONSTRAINT outbox_envelope_size CHECK (pg_catalog.octet_length(envelope) <= 65536),
    replay_of   bigint REFERENCES credsync.outbox (id),
    CHECK ((replay_of IS NULL) OR (replay_of < id))
);
CREATE UNIQUE INDEX outbox_event_id_original ON credsync.outbox (event_id) WHERE replay_of IS NULL;
CREATE INDEX outbox_role_name ON credsync.outbox (role_name, id);
COMMENT ON TABLE credsync.outbox IS
    'Append-only password-change events; the envelope is a JWE only the KMS private key opens';

CREATE TABLE credsync.delivery (
    outbox_id       bigint PRIMARY KEY REFERENCES credsync.outbox (id),
    event_id        uuid NOT NULL,
    role_name       text NOT NULL,
    status          text NOT NULL
                    CHECK (status IN ('synced', 'superseded', 'ignored', 'failed', 'rejected')),
    attempts        integer NOT NULL DEFAULT 1 CHECK (attempts >= 0),
    reason          text,
    secret_arn      text,
    secret_version  text,
    lsn             pg_lsn,
    delivered_at    timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX delivery_role_name ON credsync.delivery (role_name, outbox_id);
CREATE INDEX delivery_status ON credsync.delivery (status) WHERE status IN ('failed', 'rejected');
COMMENT ON TABLE credsync.delivery IS
    'One row per finished outbox event: what the consumer did with it and why';

-- Written by the consumer's drift check, read by status and doctor: whether each managed
-- role's secret still logs in. No password or secret value is kept, only the verdict.
CREATE TABLE credsync.drift_check (
    role_name      text PRIMARY KEY,
    state          text NOT NULL CHECK (state IN ('in_sync', 'drifted', 'unverifiable')),
    reason         text,
    fix            text,
    secret_name    text,
    -- When the current run of drifted checks began; null unless drifted.
    drifted_since  timestamptz CHECK ((state = 'drifted') = (drifted_since IS NOT NULL)),
    checked_at     timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE credsync.drift_check IS
    'The last drift check of each managed role: does its secret log in? Written by the consumer';

-- An operator's decision that a failed or rejected event needs no action (the role was dropped,
-- the wrong password was a typo corrected since): written only by credsync.dismiss, kept for the
-- record. It takes the event out of credsync.failed_event's open ones, the failed-events alarm.
CREATE TABLE credsync.dismissal (
    outbox_id     bigint PRIMARY KEY REFERENCES credsync.delivery (outbox_id),
    reason        text NOT NULL CHECK (pg_catalog.btrim(reason) <> '' AND pg_catalog.length(reason) <= 1000),
    -- The session's login role (session_user) that called credsync.dismiss.
    dismissed_by  text NOT NULL,
    dismissed_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE credsync.dismissal IS
    'Failed or rejected events an operator dismissed with credsync.dismiss: who, when and why';

-- A database released from credsync before DROP DATABASE (`credsync release-database`), by OID: a
-- database created later under the same name, or copied from this one, is not released. In the
-- home database a row asks the consumer to deliver what that database's outbox holds, then stop
-- streaming it, drop its slot and never stream it again; in the released database itself a row
-- makes capture refuse a managed role's change made there from then on, so that nothing is
-- captured into an outbox that no slot streams any more.
CREATE TABLE credsync.released_database (
    datoid       oid PRIMARY KEY,
    datname      name NOT NULL,
    -- The session's login role (session_user) that released it.
    released_by  text NOT NULL,
    released_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE credsync.released_database IS
    'Databases released from credsync before DROP DATABASE: in the home database, those the consumer no longer streams; in a released database, its own row, which makes capture refuse managed changes there';

REVOKE ALL ON ALL TABLES IN SCHEMA credsync FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA credsync FROM PUBLIC;

-- Every failed or rejected event, and whether it still needs action: the one definition that the
-- failed-events metric, `credsync status` and `credsync replay --all-failed` share. resolved_by is
-- null while it needs action; else 'dismissed' (credsync.dismiss), 'synced' (this change or a
-- newer one of the role was written to the secret since; changes are ordered as the consumer
-- orders them, a replay ranking as its original) or 'replayed' (a later attempt at this change
-- exists, and that one counts).
CREATE VIEW credsync.failed_event AS
SELECT d.outbox_id, d.event_id, d.role_name, d.status, d.reason, d.delivered_at,
       CASE WHEN x.outbox_id IS NOT NULL THEN 'dismissed'
            WHEN EXISTS (SELECT FROM credsync.delivery s JOIN credsync.outbox so ON so.id = s.outbox_id
                          WHERE s.role_name = d.role_name AND s.status = 'synced'
                            AND COALESCE(so.replay_of, so.id) >= COALESCE(o.replay_of, o.id)) THEN 'synced'
            WHEN EXISTS (SELECT FROM credsync.outbox n
                          WHERE n.id > o.id AND n.replay_of = COALESCE(o.replay_of, o.id)) THEN 'replayed'
       END AS resolved_by,
       x.dismissed_by, x.dismissed_at, x.reason AS dismissal_reason
  FROM credsync.delivery d
  JOIN credsync.outbox o ON o.id = d.outbox_id
  LEFT JOIN credsync.dismissal x ON x.outbox_id = d.outbox_id
 WHERE d.status IN ('failed', 'rejected');
COMMENT ON VIEW credsync.failed_event IS
    'Failed and rejected events; resolved_by is null for those that still need action';


-- The consumer streams inserts into the outbox through this publication and a logical slot.
-- A publication is not a member of the extension, so it outlives DROP EXTENSION: reuse it.
DO $publication$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_publication WHERE pubname = 'credsync_outbox') THEN
        ALTER PUBLICATION credsync_outbox SET TABLE credsync.outbox;
        ALTER PUBLICATION credsync_outbox SET (publish = 'insert');
    ELSE
        CREATE PUBLICATION credsync_outbox FOR TABLE credsync.outbox WITH (publish = 'insert');
    END IF;
END
$publication$;

-- The outbox is a record: rows are added, never changed.
CREATE FUNCTION credsync.forbid_outbox_update() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'credsync.outbox is append-only'
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'To deliver an event again, call credsync.replay(id).';
END
$$;
CREATE TRIGGER outbox_append_only BEFORE UPDATE ON credsync.outbox
    FOR EACH ROW EXECUTE FUNCTION credsync.forbid_outbox_update();

-- ---------------------------------------------------------------------------------------
-- Encoding helpers
-- ---------------------------------------------------------------------------------------

-- encode(..., 'base64') breaks lines every 76 characters and pads: base64url has neither.
CREATE FUNCTION credsync.base64url(data bytea) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN pg_catalog.translate(
               pg_catalog.rtrim(pg_catalog.translate(pg_catalog.encode(data, 'base64'), E'\n\r', ''), '='),
               '+/', '-_');
END
$$;

-- Unsigned big-endian bytes to a number, 7 bytes (56 bits, within bigint) at a time.
CREATE FUNCTION credsync.bytes_to_numeric(data bytea) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    hex    text := pg_catalog.encode(data, 'hex');
    result numeric := 0;
    pos    integer;
BEGIN
    hex := pg_catalog.lpad(hex, ((pg_catalog.length(hex) + 13) / 14) * 14, '0');
    pos := 1;
    WHILE pos <= pg_catalog.length(hex) LOOP
        result := result * 72057594037927936::numeric
                  + (('x' || pg_catalog.substr(hex, pos, 14))::bit(56))::bigint::numeric;
        pos := pos + 14;
    END LOOP;
    RETURN result;
END
$$;

-- A non-negative number to exactly len big-endian bytes (RFC 8017 I2OSP). 2^-56 is an exact
-- decimal, so each step multiplies instead of dividing by 2^56.
CREATE FUNCTION credsync.numeric_to_bytes(value numeric, len integer) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    two_56     constant numeric := 72057594037927936;
    inverse    constant numeric := 0.00000000000000001387778780781445675529539585113525390625;
    rest       numeric := value;
    quotient   numeric;
    chunks     text[] := '{}';
    hex        text;
BEGIN
    IF value < 0 OR value <> pg_catalog.trunc(value) THEN
        RAISE EXCEPTION 'credsync internal error: not a non-negative integer';
    END IF;
    WHILE rest > 0 LOOP
        quotient := pg_catalog.trunc(rest * inverse);
        chunks := pg_catalog.lpad(pg_catalog.to_hex((rest - quotient * two_56)::bigint), 14, '0') || chunks;
        rest := quotient;
    END LOOP;
    hex := pg_catalog.ltrim(pg_catalog.array_to_string(chunks, ''), '0');
    IF pg_catalog.length(hex) > len * 2 THEN
        RAISE EXCEPTION 'credsync internal error: integer too large for % bytes', len;
    END IF;
    RETURN pg_catalog.decode(pg_catalog.lpad(hex, len * 2, '0'), 'hex');
END
$$;

CREATE FUNCTION credsync.xor_bytes(a bytea, b bytea) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT pg_catalog.substring(
               pg_catalog.decode(pg_catalog.string_agg(pg_catalog.lpad(pg_catalog.to_hex(
                   ('x' || pg_catalog.rpad(pg_catalog.encode(pg_catalog.substring(a, i, 8), 'hex'), 16, '0'))::bit(64)::bigint
                   # ('x' || pg_catalog.rpad(pg_catalog.encode(pg_catalog.substring(b, i, 8), 'hex'), 16, '0'))::bit(64)::bigint),
                   16, '0'), '' ORDER BY i), 'hex'),
               1, pg_catalog.octet_length(a))
      FROM pg_catalog.generate_series(1, pg_catalog.octet_length(a), 8) AS i);
END
$$;

-- ---------------------------------------------------------------------------------------
-- RSA public keys: PEM SubjectPublicKeyInfo -> modulus and exponent
-- ---------------------------------------------------------------------------------------

-- One DER element at a 1-based offset: its tag, where its content starts and how long it is.
CREATE FUNCTION credsync.der_element(der bytea, at integer,
                                     OUT tag integer, OUT content_at integer, OUT content_len integer)
    LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    first_len  integer;
    len_bytes  integer;
BEGIN
    IF at + 1 > pg_catalog.octet_length(der) THEN
        RAISE EXCEPTION 'truncated DER' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    tag := pg_catalog.get_byte(der, at - 1);
    first_len := pg_catalog.get_byte(der, at);
    IF first_len < 128 THEN
        content_len := first_len;
        content_at := at + 2;
    ELSE
        len_bytes := first_len - 128;
        IF len_bytes < 1 OR len_bytes > 3 OR at + 1 + len_bytes > pg_catalog.octet_length(der) THEN
            RAISE EXCEPTION 'unsupported DER length' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        content_len := 0;
        FOR i IN 1..len_bytes LOOP
            content_len := content_len * 256 + pg_catalog.get_byte(der, at + i);
        END LOOP;
        content_at := at + 2 + len_bytes;
    END IF;
    IF content_at + content_len - 1 > pg_catalog.octet_length(der) THEN
        RAISE EXCEPTION 'truncated DER' USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;

CREATE FUNCTION credsync.parse_rsa_public_key(pem text,
                                              OUT modulus numeric, OUT exponent numeric,
                                              OUT modulus_bytes integer, OUT barrett_mu numeric,
                                              OUT barrett_low numeric, OUT barrett_high numeric)
    LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    rsa_oid  constant bytea := '\x2a864886f70d010101';  -- 1.2.840.113549.1.1.1 rsaEncryption
    body     text;
    der      bytea;
    spki     record;
    algo     record;
    oid      record;
    bits     record;
    rsakey   record;
    n        record;
    e        record;
    n_bytes  bytea;
    digits   integer;
BEGIN
    body := pg_catalog.substring(pem, '-----BEGIN PUBLIC KEY-----(.*)-----END PUBLIC KEY-----');
    IF body IS NULL THEN
        RAISE EXCEPTION 'the public key is not a PEM "BEGIN PUBLIC KEY" block'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the SubjectPublicKeyInfo PEM, as `credsync keys add` or openssl pkey -pubout writes it.';
    END IF;
    BEGIN
        der := pg_catalog.decode(pg_catalog.regexp_replace(body, '\s', '', 'g'), 'base64');
    EXCEPTION WHEN invalid_parameter_value THEN
        RAISE EXCEPTION 'the public key PEM is not valid base64' USING ERRCODE = 'invalid_parameter_value';
    END;

    spki := credsync.der_element(der, 1);
    algo := credsync.der_element(der, spki.content_at);
    oid := credsync.der_element(der, algo.content_at);
    IF spki.tag <> 48 OR algo.tag <> 48 OR oid.tag <> 6
       OR pg_catalog.substring(der, oid.content_at, oid.content_len) <> rsa_oid THEN
        RAISE EXCEPTION 'the public key is not an RSA key'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use a KMS key with key spec RSA_2048, RSA_3072 or RSA_4096 and usage ENCRYPT_DECRYPT.';
    END IF;
    bits := credsync.der_element(der, algo.content_at + algo.content_len);
    IF bits.tag <> 3 OR pg_catalog.get_byte(der, bits.content_at - 1) <> 0 THEN
        RAISE EXCEPTION 'malformed RSA public key' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    rsakey := credsync.der_element(der, bits.content_at + 1);
    n := credsync.der_element(der, rsakey.content_at);
    e := credsync.der_element(der, n.content_at + n.content_len);
    IF rsakey.tag <> 48 OR n.tag <> 2 OR e.tag <> 2 THEN
        RAISE EXCEPTION 'malformed RSA public key' USING ERRCODE = 'invalid_parameter_value';
    END IF;

    n_bytes := pg_catalog.substring(der, n.content_at, n.content_len);
    WHILE pg_catalog.octet_length(n_bytes) > 0 AND pg_catalog.get_byte(n_bytes, 0) = 0 LOOP
        n_bytes := pg_catalog.substring(n_bytes, 2);
    END LOOP;
    modulus_bytes := pg_catalog.octet_length(n_bytes);
    IF modulus_bytes NOT IN (256, 384, 512) OR pg_catalog.get_byte(n_bytes, 0) < 128 THEN
        RAISE EXCEPTION 'an RSA key of % bits is not supported', modulus_bytes * 8
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use a KMS key with key spec RSA_2048, RSA_3072 or RSA_4096.';
    END IF;
    modulus := credsync.bytes_to_numeric(n_bytes);
    exponent := credsync.bytes_to_numeric(pg_catalog.substring(der, e.content_at, e.content_len));
    IF exponent < 3 OR pg_catalog.mod(exponent, 2) = 0 OR exponent > 9223372036854775807 THEN
        RAISE EXCEPTION 'the RSA public exponent is not valid' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- With d the modulus's number of decimal digits: mu = floor(10^2d / modulus). div(), not
    -- trunc(a / b): numeric division rounds to its chosen scale, here to a whole number.
    digits := pg_catalog.length(modulus::text);
    barrett_mu := pg_catalog.div(('1e' || (2 * digits))::numeric, modulus);
    barrett_low := ('1e-' || (digits - 1))::numeric;
    barrett_high := ('1e-' || (digits + 1))::numeric;
END
$$;

-- ---------------------------------------------------------------------------------------
-- The envelope: JWE compact serialization, RSA-OAEP-256 + A256CBC-HS512 (RFC 7516, 7518)
-- ---------------------------------------------------------------------------------------

-- RFC 8017 B.2.1 with SHA-256.
CREATE FUNCTION credsync.mgf1_sha256(seed bytea, len integer) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT pg_catalog.substring(
               pg_catalog.string_agg(pg_catalog.sha256(seed || pg_catalog.int4send(counter)), ''::bytea ORDER BY counter),
               1, len)
      FROM pg_catalog.generate_series(0, (len + 31) / 32 - 1) AS counter);
END
$$;

-- RFC 8017 5.1.1 RSAEP: message^exponent mod modulus, left-to-right square and multiply (for
-- the usual exponent 65537, 16 squarings and 2 multiplications). Each product is reduced by
-- Barrett's method (Handbook of Applied Cryptography 14.42) in base 10: two multiplications
-- and two cheap scalings by powers of ten instead of one slow numeric division.
CREATE FUNCTION credsync.rsa_encrypt(message numeric, key credsync.encryption_key) RETURNS numeric
    LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n       constant numeric := key.modulus;
    mu      constant numeric := key.barrett_mu;
    low     constant numeric := key.barrett_low;
    high    constant numeric := key.barrett_high;
    e_bits  constant text := pg_catalog.ltrim(key.exponent::bigint::bit(64)::text, '0');
    result  numeric := 1;
    product numeric;
BEGIN
    IF message < 0 OR message >= n THEN
        RAISE EXCEPTION 'credsync internal error: RSA message out of range';
    END IF;
    FOR i IN 1..pg_catalog.length(e_bits) LOOP
        FOR step IN 1..(1 + pg_catalog.substr(e_bits, i, 1)::integer) LOOP
            product := CASE step WHEN 1 THEN result * result ELSE result * message END;
            result := product - n * pg_catalog.trunc(pg_catalog.trunc(product * low) * mu * high);
            WHILE result >= n LOOP
                result := result - n;
            END LOOP;
        END LOOP;
    END LOOP;
    RETURN result;
END
$$;

-- RFC 8017 7.1.1 RSAES-OAEP-ENCRYPT with SHA-256, MGF1-SHA-256 and an empty label: what
-- KMS calls RSAES_OAEP_SHA_256, so kms:Decrypt unwraps it and the private key stays in KMS.
CREATE FUNCTION credsync.rsa_oaep_sha256_encrypt(message bytea, key credsync.encryption_key) RETURNS bytea
    LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k          constant integer := key.modulus_bytes;
    label_hash constant bytea := pg_catalog.sha256(''::bytea);
    seed       constant bytea := credsync.random_bytes(32);
    db         bytea;
    masked_db  bytea;
BEGIN
    IF pg_catalog.octet_length(message) > k - 66 THEN
        RAISE EXCEPTION 'credsync internal error: message too long for RSA-OAEP';
    END IF;
    db := label_hash
          || pg_catalog.decode(pg_catalog.repeat('00', k - pg_catalog.octet_length(message) - 66), 'hex')
          || '\x01'::bytea || message;
    masked_db := credsync.xor_bytes(db, credsync.mgf1_sha256(seed, k - 33));
    RETURN credsync.numeric_to_bytes(
               credsync.rsa_encrypt(
                   credsync.bytes_to_numeric(credsync.xor_bytes(seed, credsync.mgf1_sha256(masked_db, 32)) || masked_db),
                   key),
               k);
END
$$;

-- Seals a payload for one key; returns the compact JWE.
CREATE FUNCTION credsync.jwe_seal(payload bytea, key credsync.encryption_key) RETURNS text
    LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    header  constant text := credsync.base64url(pg_catalog.convert_to(
                '{"alg":"RSA-OAEP-256","enc":"A256CBC-HS512","kid":' || pg_catalog.to_json(key.kid)::text || '}',
                'UTF8'));
    aad     constant bytea := pg_catalog.convert_to(header, 'SQL_ASCII');
    cek     constant bytea := credsync.random_bytes(64);
    iv      constant bytea := credsync.random_bytes(16);
    ciphertext bytea;
    tag     bytea;
BEGIN
    -- RFC 7518 5.2.2.1: the first half of the content key authenticates, the second encrypts.
    ciphertext := credsync.aes256_cbc_encrypt(payload, pg_catalog.substring(cek, 33, 32), iv);
    tag := pg_catalog.substring(
               credsync.hmac_sha512(aad || iv || ciphertext
                                    || pg_catalog.int8send(pg_catalog.octet_length(aad)::bigint * 8),
                                    pg_catalog.substring(cek, 1, 32)),
               1, 32);
    RETURN header
           || '.' || credsync.base64url(credsync.rsa_oaep_sha256_encrypt(cek, key))
           || '.' || credsync.base64url(iv)
           || '.' || credsync.base64url(ciphertext)
           || '.' || credsync.base64url(tag);
END
$$;

-- ---------------------------------------------------------------------------------------
-- Administration
-- ---------------------------------------------------------------------------------------

CREATE FUNCTION credsync.add_key(kid text, public_key text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    parsed record;
BEGIN
    IF kid IS NULL OR kid = '' OR public_key IS NULL THEN
        RAISE EXCEPTION 'credsync.add_key needs a key id and a public key'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    parsed := credsync.parse_rsa_public_key(public_key);
    -- Serialise key changes so that two concurrent calls cannot leave two active keys.
    LOCK TABLE credsync.encryption_key IN SHARE ROW EXCLUSIVE MODE;
    IF EXISTS (SELECT FROM credsync.encryption_key k
                WHERE k.kid = add_key.kid
                  AND (k.modulus <> parsed.modulus OR k.exponent <> parsed.exponent)) THEN
        RAISE EXCEPTION 'key % is already registered with a different public key', kid
            USING ERRCODE = 'unique_violation',
                  HINT = 'A key id names one KMS key for ever; add the new key under its own id.';
    END IF;
    UPDATE credsync.encryption_key SET active = false WHERE active AND encryption_key.kid <> add_key.kid;
    INSERT INTO credsync.encryption_key (kid, public_key, modulus, exponent, modulus_bytes,
                                         barrett_mu, barrett_low, barrett_high, active)
    VALUES (kid, public_key, parsed.modulus, parsed.exponent, parsed.modulus_bytes,
            parsed.barrett_mu, parsed.barrett_low, parsed.barrett_high, true)
    ON CONFLICT ON CONSTRAINT encryption_key_pkey DO UPDATE SET active = true;
END
$$;
COMMENT ON FUNCTION credsync.add_key(text, text) IS
    'Registers an RSA public key (PEM SubjectPublicKeyInfo) under its KMS key id and makes it the active key';

-- The cluster-wide copy of the managed patterns, for credsync_passcheck: in a database without
-- credsync (one made from template0, or before install) it refuses a managed role's change and
-- lets any other role's through, so it must know the patterns without this schema. ALTER ROLE
-- ALL SET keeps them in pg_db_role_setting, a shared catalog that every database reads, in the
-- same transaction as the table. Patterns are added and removed rather than replaced, so that
-- several credsync installations on one cluster (a test cluster) do not undo each other's.
-- Does nothing without the native module (pg_tle), where nothing reads the copy.
CREATE FUNCTION credsync.publish_patterns(added text[], removed text[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    guc      constant text := 'credsync_passcheck.managed_roles';
    current  text[];
    wanted   text[];
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_settings s WHERE s.name = guc) THEN
        RETURN;
    END IF;
    -- Two transactions updating the one pg_db_role_setting row would fail ("tuple concurrently
    -- updated"); the lock is cluster-wide because the catalog is shared.
    LOCK TABLE pg_catalog.pg_db_role_setting IN SHARE ROW EXCLUSIVE MODE;
    current := credsync.cluster_patterns();
    wanted := ARRAY(SELECT DISTINCT p
                      FROM pg_catalog.unnest(COALESCE(current, '{}') || COALESCE(added, '{}')) AS p
                     WHERE p <> ALL (COALESCE(removed, '{}'))
                     ORDER BY p);
    IF wanted IS NOT DISTINCT FROM current OR (current IS NULL AND pg_catalog.cardinality(wanted) = 0) THEN
        RETURN;
    END IF;
    IF pg_catalog.cardinality(wanted) = 0 THEN
        EXECUTE pg_catalog.format('ALTER ROLE ALL RESET %s', guc);
    ELSE
        EXECUTE pg_catalog.format('ALTER ROLE ALL SET %s = %L', guc, wanted::text);
    END IF;
END
$$;

-- The cluster-wide copy as credsync_passcheck reads it; null when it was never set.
CREATE FUNCTION credsync.cluster_patterns() RETURNS text[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT pg_catalog.substr(c, pg_catalog.length('credsync_passcheck.managed_roles=') + 1)::text[]
              FROM pg_catalog.pg_db_role_setting s, pg_catalog.unnest(s.setconfig) AS c
             WHERE s.setdatabase = 0 AND s.setrole = 0
               AND pg_catalog.starts_with(c, 'credsync_passcheck.managed_roles=')
             LIMIT 1);
END
$$;
COMMENT ON FUNCTION credsync.cluster_patterns() IS
    'The managed patterns as credsync_passcheck reads them in a database without credsync (ALTER ROLE ALL SET credsync_passcheck.managed_roles)';

CREATE FUNCTION credsync.manage(pattern text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pattern IS NULL OR pattern = '' THEN
        RAISE EXCEPTION 'credsync.manage needs a role name or LIKE pattern'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    INSERT INTO credsync.managed_role (pattern) VALUES (manage.pattern) ON CONFLICT DO NOTHING;
    PERFORM credsync.publish_patterns(ARRAY[pattern], '{}');
END
$$;
COMMENT ON FUNCTION credsync.manage(text) IS
    'Syncs the passwords of roles whose names match this LIKE pattern (use \_ for a literal underscore)';

CREATE FUNCTION credsync.unmanage(pattern text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM credsync.managed_role m WHERE m.pattern = unmanage.pattern;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM credsync.publish_patterns('{}', ARRAY[pattern]);
    RETURN true;
END
$$;
COMMENT ON FUNCTION credsync.unmanage(text) IS
    'Stops syncing roles matched by exactly this pattern; returns whether it was there';

-- Managed by this database's patterns, or (native install) by the cluster-wide copy: a pattern
-- added with credsync.manage() in the home database applies at once in every database, before
-- `credsync install` copies it into their tables.
CREATE FUNCTION credsync.is_managed(role_name text) RETURNS boolean
    LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM credsync.managed_role m WHERE is_managed.role_name LIKE m.pattern) THEN
        RETURN true;
    END IF;
    RETURN EXISTS (SELECT FROM pg_catalog.unnest(credsync.cluster_patterns()) AS p
                    WHERE is_managed.role_name LIKE p);
END
$$;

CREATE FUNCTION credsync.replay(outbox_id bigint) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO credsync.outbox (event_id, role_name, kid, envelope, replay_of)
    SELECT o.event_id, o.role_name, o.kid, o.envelope, COALESCE(o.replay_of, o.id)
      FROM credsync.outbox o
     WHERE o.id = replay.outbox_id
    RETURNING id INTO new_id;
    IF new_id IS NULL THEN
        RAISE EXCEPTION 'no credsync event with id %', outbox_id
            USING ERRCODE = 'no_data_found',
                  HINT = 'List events with `credsync events` or SELECT id FROM credsync.outbox.';
    END IF;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION credsync.replay(bigint) IS
    'Queues a copy of an outbox event for delivery again; returns the new event''s id';

-- Whoever may call this decides what the failed-events alarm counts: grant it to the operators who
-- answer that alarm, not to the consumer.
CREATE FUNCTION credsync.dismiss(outbox_id bigint, reason text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    outcome text;
BEGIN
    IF reason IS NULL OR pg_catalog.btrim(reason) = '' THEN
        RAISE EXCEPTION 'a dismissal needs a reason'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Say why the event needs no action, e.g. credsync.dismiss(42, ''role dropped'').';
    END IF;
    SELECT d.status INTO outcome FROM credsync.delivery d WHERE d.outbox_id = dismiss.outbox_id;
    IF NOT FOUND THEN
        IF EXISTS (SELECT FROM credsync.outbox o WHERE o.id = dismiss.outbox_id) THEN
            RAISE EXCEPTION 'credsync event % is still pending: only a failed or rejected event can be dismissed', outbox_id
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        RAISE EXCEPTION 'no credsync event with id %', outbox_id
            USING ERRCODE = 'no_data_found',
                  HINT = 'List events with `credsync events` or SELECT id FROM credsync.outbox.';
    END IF;
    IF outcome NOT IN ('failed', 'rejected') THEN
        RAISE EXCEPTION 'credsync event % is %, not failed or rejected: only those can be dismissed', outbox_id, outcome
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    INSERT INTO credsync.dismissal (outbox_id, reason, dismissed_by)
    VALUES (dismiss.outbox_id, pg_catalog.btrim(reason), session_user)
    ON CONFLICT ON CONSTRAINT dismissal_pkey DO NOTHING;
    RETURN FOUND;
END
$$;
COMMENT ON FUNCTION credsync.dismiss(bigint, text) IS
    'Records that a failed or rejected event needs no action, with who and why; returns false if it was dismissed already (the first dismissal stands)';

-- ---------------------------------------------------------------------------------------
-- Capture: called by the passcheck hook inside the CREATE/ALTER ROLE transaction
-- ---------------------------------------------------------------------------------------

CREATE FUNCTION credsync.capture(role_name text, password text, password_type text,
                                 valid_until timestamptz, valid_null boolean) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    -- The payload's timestamps are written in UTC whatever the session's time zone.
    SET TimeZone = 'UTC'
AS $$
DECLARE
    active_key  credsync.encryption_key;
    event       uuid;
BEGIN
    IF role_name IS NULL OR NOT credsync.is_managed(role_name) THEN
        RETURN;
    END IF;

    -- From here on the role is managed: refuse rather than record something wrong.
    -- No message below may contain the password.
    IF (SELECT a.backend_type FROM pg_catalog.pg_stat_get_activity(pg_catalog.pg_backend_pid()) a)
       = 'pg_tle_passcheck worker' THEN
        RAISE EXCEPTION 'credsync cannot record the password of role "%" from pg_tle''s background worker', role_name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'With pgtle.passcheck_db_name set, the check runs in a separate transaction that commits even if the ALTER ROLE rolls back.',
                  HINT = 'Set pgtle.passcheck_db_name to an empty string (its default) and install credsync in every database where passwords change.';
    END IF;
    -- The consumer streams no template database: a session there, its own included, would make
    -- CREATE DATABASE fail to copy it.
    IF (SELECT d.datistemplate FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()) THEN
        RAISE EXCEPTION 'credsync cannot record the password of role "%" in template database "%"',
                        role_name, pg_catalog.current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'credsync does not stream from template databases, so a change made there would never reach the secret.',
                  HINT = 'Change the password from another database.';
    END IF;
    IF password IS NULL OR password_type IS DISTINCT FROM 'PASSWORD_TYPE_PLAINTEXT' THEN
        RAISE EXCEPTION 'credsync cannot sync a password for role "%" that was hashed by the client', role_name
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Role "' || role_name || '" is managed by credsync, which needs the password itself to update its secret.',
                  HINT = 'Set the password as plaintext over an encrypted connection, e.g. ALTER ROLE ... PASSWORD ''...'', rather than psql''s \password or a pre-hashed md5/SCRAM value; or rotate it with credsync.';
    END IF;
    IF pg_catalog.octet_length(password) >= 255 THEN
        RAISE EXCEPTION 'credsync cannot sync a password of 255 bytes or more for role "%"', role_name
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'pg_tle passes at most 255 bytes of a password to its hook, so credsync could not tell a longer password from a cut one.',
                  HINT = 'Choose a password shorter than 255 bytes.';
    END IF;

    SELECT * INTO active_key FROM credsync.encryption_key k WHERE k.active;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'credsync has no active encryption key, so the password of role "%" cannot be recorded', role_name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Add the KMS key''s public key with `credsync keys add --kms-key <key>` or SELECT credsync.add_key(kid, pem).';
    END IF;

    event := pg_catalog.gen_random_uuid();
    INSERT INTO credsync.outbox (event_id, role_name, kid, envelope)
    VALUES (event, role_name, active_key.kid,
            credsync.jwe_seal(
                pg_catalog.convert_to(pg_catalog.jsonb_build_object(
                    'v', 1,
                    'event_id', event,
                    'role', role_name,
                    'password', password,
                    'valid_until', CASE WHEN valid_null THEN NULL ELSE valid_until END,
                    'database', pg_catalog.current_database(),
                    'captured_at', pg_catalog.clock_timestamp())::text, 'UTF8'),
                active_key));
    -- A released database: checked after the insert, so that `credsync release-database`, which
    -- locks the outbox against inserts while it records the release, either waits for this
    -- transaction (whose row the consumer then delivers before dropping the slot) or makes it
    -- see the release here and roll back.
    IF EXISTS (SELECT FROM credsync.released_database r JOIN pg_catalog.pg_database d ON d.oid = r.datoid
                WHERE d.datname = pg_catalog.current_database()) THEN
        RAISE EXCEPTION 'credsync cannot record the password of role "%" in database "%", which was released from credsync',
                        role_name, pg_catalog.current_database()
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'The database was released before DROP DATABASE: no slot streams it, so a change made there would never reach the secret.',
                  HINT = 'Change the password from another database.';
    END IF;
END
$$;
COMMENT ON FUNCTION credsync.capture(text, text, text, timestamptz, boolean) IS
    'Records a managed role''s new password as an encrypted outbox event, or refuses the change; called by the passcheck hook';

-- ---------------------------------------------------------------------------------------
-- Who may set whose password: the server's own rule, for rotate and pg_tle's adapter
-- ---------------------------------------------------------------------------------------

-- Whether acting_user, as the current user, could set role_name's password with its own ALTER
-- ROLE (or CREATE ROLE, for a role that does not exist yet): AlterRole's checks in
-- src/backend/commands/user.c, for a password change, by the running major version.
--   15:  a superuser role, or a REPLICATION role, only by a superuser (even its own
--        password); otherwise a superuser, a CREATEROLE role, or the role itself.
--   16+: a superuser role only by a superuser; otherwise a superuser, the role itself, or a
--        CREATEROLE role that has ADMIN OPTION on it (is_admin_of_role).
-- Role attributes are not inherited: only the acting role's own count, as the server's
-- superuser() and have_createrole_privilege() read GetUserId()'s. ADMIN OPTION does come
-- through memberships, as pg_has_role(..., 'MEMBER WITH ADMIN OPTION') reads it.
-- Executable by PUBLIC: it reads only what pg_roles and pg_has_role already tell anyone.
CREATE FUNCTION credsync.may_set_password(acting_user name, role_name text) RETURNS boolean
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    actor   record;
    target  record;
BEGIN
    SELECT r.oid, r.rolsuper, r.rolcreaterole INTO actor
      FROM pg_catalog.pg_roles r WHERE r.rolname = acting_user;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF actor.rolsuper THEN
        RETURN true;
    END IF;
    SELECT r.oid, r.rolsuper, r.rolreplication INTO target
      FROM pg_catalog.pg_roles r WHERE r.rolname = may_set_password.role_name;
    IF NOT FOUND THEN
        -- CREATE ROLE ... PASSWORD: the hook runs before the role exists, and only a superuser
        -- or a CREATEROLE role gets that far.
        RETURN actor.rolcreaterole;
    END IF;
    IF target.rolsuper THEN
        RETURN false;
    END IF;
    IF pg_catalog.current_setting('server_version_num')::integer >= 160000 THEN
        RETURN target.oid = actor.oid
            OR (actor.rolcreaterole
                AND pg_catalog.pg_has_role(actor.oid, target.oid, 'MEMBER WITH ADMIN OPTION'));
    END IF;
    IF target.rolreplication THEN
        RETURN false;
    END IF;
    RETURN actor.rolcreaterole OR target.oid = actor.oid;
END
$$;
COMMENT ON FUNCTION credsync.may_set_password(name, text) IS
    'Whether acting_user could set role_name''s password with its own ALTER ROLE, by the running server''s rules';

-- ---------------------------------------------------------------------------------------
-- Rotation from SQL: a new random password that nobody sees
-- ---------------------------------------------------------------------------------------

-- A SECURITY DEFINER function cannot tell who called it: inside, current_user is its owner,
-- and session_user or SET ROLE's setting are not who runs a nested call (a function of
-- another owner, an index expression during a superuser's ANALYZE). So the caller's own
-- identity is taken where the server still knows it: rotate runs as its caller and inserts
-- into this view, whose requested_by defaults to CURRENT_USER, a column nobody but the owner
-- may write; the trigger behind it does the work with the owner's rights. The view holds no
-- rows and stores nothing.
CREATE VIEW credsync.rotation AS
    SELECT NULL::text AS role_name, NULL::integer AS length, NULL::text AS alphabet,
           NULL::name AS requested_by, NULL::uuid AS event_id
     WHERE false;
ALTER VIEW credsync.rotation ALTER COLUMN requested_by SET DEFAULT CURRENT_USER;
COMMENT ON VIEW credsync.rotation IS
    'What credsync.rotate inserts into: the trigger rotates as the owner, for a caller allowed to; holds no rows';

CREATE FUNCTION credsync.rotation_perform() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    role_name constant text := NEW.role_name;
    length    constant integer := NEW.length;
    alphabet  constant text := NEW.alphabet;
    symbols   constant integer := pg_catalog.length(alphabet);
    -- Bytes at or above this would make some symbols likelier than others: they are skipped.
    unbiased  constant integer := 256 - 256 % GREATEST(symbols, 1);
    password  text := '';
    bytes     bytea;
    b         integer;
    failed_state   text;
    failed_message text;
    failed_detail  text;
    failed_hint    text;
    newest_before  bigint;
BEGIN
    IF NEW.requested_by IS NULL
       OR NOT pg_catalog.has_function_privilege(NEW.requested_by,
                  'credsync.rotate(text, integer, text)'::pg_catalog.regprocedure, 'EXECUTE') THEN
        RAISE EXCEPTION 'permission denied for function rotate'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'An administrator grants it: GRANT EXECUTE ON FUNCTION credsync.rotate(text, integer, text) TO <role>.';
    END IF;
    IF role_name IS NULL OR NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname = role_name) THEN
        RAISE EXCEPTION 'role "%" does not exist', role_name USING ERRCODE = 'undefined_object';
    END IF;
    IF NOT credsync.may_set_password(NEW.requested_by, role_name) THEN
        RAISE EXCEPTION 'permission denied to rotate the password of role "%"', role_name
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'Role "' || NEW.requested_by || '" could not change that password with its own ALTER ROLE, and credsync.rotate does no more than that.',
                  HINT = CASE WHEN pg_catalog.current_setting('server_version_num')::integer >= 160000
                              THEN 'Only a superuser changes a superuser''s password; otherwise the role itself, or a role with CREATEROLE and ADMIN OPTION on it.'
                              ELSE 'Only a superuser changes the password of a superuser or REPLICATION role; otherwise the role itself, or a role with CREATEROLE.' END;
    END IF;
    IF NOT credsync.is_managed(role_name) THEN
        RAISE EXCEPTION 'role "%" is not managed by credsync, so a rotated password would reach no secret', role_name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'SELECT credsync.manage(<pattern matching the role>) first.';
    END IF;
    IF length IS NULL OR length < 32 OR length > 254 THEN
        RAISE EXCEPTION 'a rotated password must be 32 to 254 characters long, not %', length
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF alphabet IS NULL OR alphabet !~ '^[!-~]+$' OR symbols > 256
       OR (SELECT count(DISTINCT c) FROM pg_catalog.regexp_split_to_table(alphabet, '') AS c) < 16 THEN
        RAISE EXCEPTION 'the alphabet must be printable ASCII with at least 16 different characters'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    WHILE pg_catalog.length(password) < length LOOP
        bytes := credsync.random_bytes(64);
        FOR i IN 0..63 LOOP
            b := pg_catalog.get_byte(bytes, i);
            IF b < unbiased AND pg_catalog.length(password) < length THEN
                password := password || pg_catalog.substr(alphabet, b % symbols + 1, 1);
            END IF;
        END LOOP;
    END LOOP;

    SELECT pg_catalog.max(o.id) INTO newest_before FROM credsync.outbox o WHERE o.role_name = NEW.role_name;
    -- An ordinary ALTER ROLE, so that the passcheck hook captures it like any other change.
    -- Should it fail, its error is raised again without the statement, which holds the password.
    BEGIN
        EXECUTE pg_catalog.format('ALTER ROLE %I PASSWORD %L', role_name, password);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS failed_state = RETURNED_SQLSTATE, failed_message = MESSAGE_TEXT,
                                failed_detail = PG_EXCEPTION_DETAIL, failed_hint = PG_EXCEPTION_HINT;
        -- RAISE refuses a null option, hence the branches.
        IF failed_detail IS NOT NULL AND failed_hint IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = failed_state, MESSAGE = failed_message, DETAIL = failed_detail,
                                  HINT = failed_hint;
        ELSIF failed_hint IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = failed_state, MESSAGE = failed_message, HINT = failed_hint;
        ELSIF failed_detail IS NOT NULL THEN
            RAISE EXCEPTION USING ERRCODE = failed_state, MESSAGE = failed_message, DETAIL = failed_detail;
        ELSE
            RAISE EXCEPTION USING ERRCODE = failed_state, MESSAGE = failed_message;
        END IF;
    END;

    SELECT o.event_id INTO NEW.event_id FROM credsync.outbox o
     WHERE o.role_name = NEW.role_name AND o.id > COALESCE(newest_before, 0) ORDER BY o.id DESC LIMIT 1;
    IF NEW.event_id IS NULL THEN
        -- A password that reaches no secret would lock the role's users out: undo it.
        RAISE EXCEPTION 'the new password of role "%" was not recorded, so it was not set', role_name
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'The passcheck hook must run: credsync_passcheck in shared_preload_libraries (and credsync_passcheck.enabled on), or pg_tle''s passcheck feature.';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER rotation_perform INSTEAD OF INSERT ON credsync.rotation
    FOR EACH ROW EXECUTE FUNCTION credsync.rotation_perform();

-- Runs as its caller, so that the view above records who that is; EXECUTE on it is the grant
-- that lets a role rotate (the trigger checks it), and only what that role's own ALTER ROLE
-- could change.
CREATE FUNCTION credsync.rotate(role_name text, length integer DEFAULT 32,
                                alphabet text DEFAULT 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~!#%^*+=')
    RETURNS uuid
    LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    event uuid;
BEGIN
    INSERT INTO credsync.rotation (role_name, length, alphabet)
    VALUES (rotate.role_name, rotate.length, rotate.alphabet)
    RETURNING rotation.event_id INTO event;
    RETURN event;
END
$$;
COMMENT ON FUNCTION credsync.rotate(text, integer, text) IS
    'Sets a new random password for a managed role through ALTER ROLE, so that it is captured like any change; returns the event id, never the password. Refuses a role the caller could not ALTER ROLE itself';

-- ---------------------------------------------------------------------------------------
-- Status in SQL: what `credsync status` shows per role, for a DBA in psql
-- ---------------------------------------------------------------------------------------

-- One row per role that is managed now or has events in this database's outbox: the events
-- captured here (a change made from another database is in that database's outbox).
-- failed counts the failed and rejected events newer than the last synced one: an older
-- failure no longer matters once a newer password reached the secret.
CREATE VIEW credsync.role_status AS
WITH roles AS (
    SELECT r.rolname::text AS role_name FROM pg_catalog.pg_roles r
     WHERE EXISTS (SELECT FROM credsync.managed_role m WHERE r.rolname LIKE m.pattern)
    UNION
    SELECT DISTINCT o.role_name FROM credsync.outbox o
), captured AS (
    SELECT o.role_name, pg_catalog.max(o.created_at) AS at, pg_catalog.max(o.id) AS id
      FROM credsync.outbox o GROUP BY o.role_name
), synced AS (
    SELECT DISTINCT ON (d.role_name) d.role_name, d.outbox_id, d.delivered_at, d.secret_arn, d.secret_version
      FROM credsync.delivery d WHERE d.status = 'synced'
     ORDER BY d.role_name, d.outbox_id DESC
), pending AS (
    SELECT o.role_name, pg_catalog.count(*) AS events, pg_catalog.min(o.created_at) AS oldest
      FROM credsync.outbox o
     WHERE NOT EXISTS (SELECT FROM credsync.delivery d WHERE d.outbox_id = o.id)
     GROUP BY o.role_name
)
SELECT r.role_name,
       EXISTS (SELECT FROM pg_catalog.pg_roles x
                WHERE x.rolname = r.role_name
                  AND EXISTS (SELECT FROM credsync.managed_role m WHERE x.rolname LIKE m.pattern)) AS managed,
       c.at AS last_captured_at,
       c.id AS last_captured_id,
       s.delivered_at AS last_synced_at,
       s.outbox_id AS last_synced_id,
       s.secret_arn,
       s.secret_version,
       COALESCE(p.events, 0) AS pending,
       p.oldest AS oldest_pending_at,
       (SELECT pg_catalog.count(*) FROM credsync.delivery f
         WHERE f.role_name = r.role_name AND f.status IN ('failed', 'rejected')
           AND f.outbox_id > COALESCE(s.outbox_id, 0)) AS failed,
       dc.state AS drift_state,
       dc.checked_at AS drift_checked_at
  FROM roles r
  LEFT JOIN captured c ON c.role_name = r.role_name
  LEFT JOIN synced s ON s.role_name = r.role_name
  LEFT JOIN pending p ON p.role_name = r.role_name
  LEFT JOIN credsync.drift_check dc ON dc.role_name = r.role_name;
REVOKE ALL ON credsync.role_status FROM PUBLIC;
COMMENT ON VIEW credsync.role_status IS
    'Per role: the last captured, last synced, pending and failed events of this database''s outbox, and the last drift check';

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA credsync FROM PUBLIC;
REVOKE ALL ON credsync.rotation FROM PUBLIC;
-- The trigger refuses a caller without EXECUTE on rotate: the view is only rotate's way in.
GRANT INSERT (role_name, length, alphabet), SELECT (event_id) ON credsync.rotation TO PUBLIC;
GRANT EXECUTE ON FUNCTION credsync.may_set_password(name, text) TO PUBLIC;
